package version

import (
	"archive/zip"
	"errors"
	"io"
	"testing"

	"github.com/vigilsec/vigil/internal/osv"
)

// osvZips are the real OSV exports in the shared test data.
var osvZips = []string{"AlmaLinux", "Go", "Maven", "PyPI", "Ubuntu", "crates.io", "npm"}

// eachOSVRange calls fn for every SEMVER or ECOSYSTEM range of every record
// in the shared OSV exports whose ecosystem vigil compares.
func eachOSVRange(tb testing.TB, fn func(id string, s Scheme, aff osv.Affected, r osv.Range)) {
	tb.Helper()
	for _, name := range osvZips {
		path := "../../../shared/testdata/osv/" + name + "/all.zip"
		zr, err := zip.OpenReader(path)
		if err != nil {
			tb.Skipf("shared OSV data unavailable: %v", err)
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				tb.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				tb.Fatal(err)
			}
			rec, err := osv.Parse(zf.Name, data)
			if err != nil {
				continue // negative cases of the data set; osv's tests own them
			}
			for _, aff := range rec.Affected {
				s, err := SchemeFor(aff.Package.Ecosystem)
				if err != nil {
					continue
				}
				for _, r := range aff.Ranges {
					if r.Type == "SEMVER" || r.Type == "ECOSYSTEM" {
						fn(rec.ID, s, aff, r)
					}
				}
			}
		}
		zr.Close()
	}
}

// nonPEP440Events are event versions in the shared PyPI export that are
// not PEP 440 versions (packaging rejects them too).
var nonPEP440Events = map[string]bool{"2019-09-12": true, "0.2.0-n653": true}

// TestOSVEventVersions parses every range event version of the real OSV
// exports and checks each introduced → fixed/last_affected pair is in
// order: the advisories' authors and their ecosystems' tools agree on it.
// A pair with introduced equal to fixed (an empty range, present in a few
// RUSTSEC records) is counted, not failed.
func TestOSVEventVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("reads every shared OSV export; skipped with -short")
	}
	parsed, pairs, empty, rejected := map[Scheme]int{}, 0, 0, 0
	eachOSVRange(t, func(id string, s Scheme, aff osv.Affected, r osv.Range) {
		var intro Version
		for _, e := range r.Events {
			for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
				if v == "" || v == "*" {
					continue
				}
				pv, err := Parse(s, v)
				if err != nil && s == PEP440 && nonPEP440Events[v] {
					rejected++
					continue
				}
				if err != nil {
					var ie *InvalidVersionError
					if !errors.As(err, &ie) {
						t.Errorf("%s: Parse(%s, %q) returned %T, want *InvalidVersionError", id, s, v, err)
					}
					t.Errorf("%s %s: %v", id, aff.Package.Name, err)
					continue
				}
				parsed[s]++
				switch {
				case v == e.Introduced:
					intro = pv
				case intro != nil && (v == e.Fixed || v == e.LastAffected):
					c := intro.Compare(pv)
					if v == e.Fixed && c == 0 {
						empty++
					} else if c > 0 {
						t.Errorf("%s %s: introduced %q not before %q (Compare = %d)", id, aff.Package.Name, intro, pv, c)
					}
					pairs++
					intro = nil
				}
			}
		}
	})
	if len(parsed) == 0 {
		t.Fatal("no event versions found")
	}
	if rejected != len(nonPEP440Events) {
		t.Errorf("rejected %d known non-PEP 440 event versions, want %d", rejected, len(nonPEP440Events))
	}
	t.Logf("parsed event versions per scheme: %v; %d introduced/fixed pairs in order, %d empty", parsed, pairs, empty)
}
