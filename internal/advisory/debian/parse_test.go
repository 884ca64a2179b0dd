package debian

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/osv"
)

const testdata = "../../../../shared/testdata/debian-security-tracker/"

var lists = []struct{ file, kind string }{
	{testdata + "DSA-list", KindDSA},
	{testdata + "DLA-list", KindDLA},
}

func parseFile(t testing.TB, file, kind string) []*osv.Record {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ParseTrackerList(f, kind)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return recs
}

// lineCounts counts, straight from the file, the header lines, the version
// lines and the <not-affected> version lines.
func lineCounts(t *testing.T, file string) (headers, versions, notAffected int) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "["):
			headers++
		case strings.HasPrefix(strings.TrimSpace(l), "["):
			versions++
			if strings.Contains(l, "<not-affected>") {
				notAffected++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return headers, versions, notAffected
}

func TestRealLists(t *testing.T) {
	for _, l := range lists {
		t.Run(l.kind, func(t *testing.T) {
			recs := parseFile(t, l.file, l.kind)
			headers, versions, notAff := lineCounts(t, l.file)
			if len(recs) != headers {
				t.Errorf("%d records, file has %d header lines", len(recs), headers)
			}
			ids := map[string]bool{}
			affected, listed := 0, 0
			for _, r := range recs {
				if err := osv.Validate(r); err != nil {
					t.Errorf("%s: %v", r.ID, err)
				}
				if !strings.HasPrefix(r.ID, l.kind+"-") || ids[r.ID] {
					t.Errorf("bad or duplicate id %q", r.ID)
				}
				ids[r.ID] = true
				if r.Published.IsZero() || !r.Modified.Equal(r.Published) {
					t.Errorf("%s: published %v modified %v", r.ID, r.Published, r.Modified)
				}
				affected += len(r.Affected)
				if len(r.DatabaseSpecific) > 0 {
					var ds databaseSpecific
					if err := json.Unmarshal(r.DatabaseSpecific, &ds); err != nil {
						t.Fatalf("%s: %v", r.ID, err)
					}
					listed += len(ds.NotAffected)
				}
			}
			t.Logf("%s: %d records, %d affected entries, %d not-affected", l.kind, len(recs), affected, listed)
			if affected != versions-notAff || listed != notAff {
				t.Errorf("affected %d + not-affected %d, file has %d version lines of which %d not-affected", affected, listed, versions, notAff)
			}
		})
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func fixedIn(eco, pkg, version string) osv.Affected {
	return osv.Affected{
		Package: osv.Package{Ecosystem: eco, Name: pkg},
		Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: version}}}},
	}
}

func tracker(id string) osv.Reference {
	return osv.Reference{Type: "ADVISORY", URL: "https://security-tracker.debian.org/tracker/" + id}
}

// TestSpotChecks compares whole records with entries read by hand from the
// real lists.
func TestSpotChecks(t *testing.T) {
	urgentFixed := fixedIn("Debian:3.1", "awstats", "6.4-1sarge1")
	urgentFixed.EcosystemSpecific = json.RawMessage(`{"urgency":"medium"}`)
	phpUnfixed := osv.Affected{
		Package:           osv.Package{Ecosystem: "Debian:3.0", Name: "phpgroupware"},
		Ranges:            []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}}}},
		EcosystemSpecific: json.RawMessage(`{"urgency":"high","fix_state":"not-fixed","debian_status":"unfixed"}`),
	}
	phpFixed := fixedIn("Debian:3.1", "phpgroupware", "0.9.16.005-3.sarge0")
	phpFixed.EcosystemSpecific = json.RawMessage(`{"urgency":"high"}`)
	want := map[string]*osv.Record{
		"DSA-5380-1": {
			ID: "DSA-5380-1", Published: day("2023-03-29"), Modified: day("2023-03-29"),
			Summary:    "xorg-server - security update",
			Upstream:   []string{"CVE-2023-1393"},
			Affected:   []osv.Affected{fixedIn("Debian:11", "xorg-server", "2:1.20.11-1+deb11u6")},
			References: []osv.Reference{tracker("DSA-5380-1")},
		},
		"DSA-135": {
			ID: "DSA-135", Published: day("2002-07-02"), Modified: day("2002-07-02"),
			Summary:    "libapache-mod-ssl -- buffer overflow / DoS",
			Upstream:   []string{"CVE-2002-0653"},
			Affected:   []osv.Affected{fixedIn("Debian:3.0", "libapache-mod-ssl", "2.8.9-2")},
			References: []osv.Reference{tracker("DSA-135")},
		},
		"DSA-892-1": {
			ID: "DSA-892-1", Published: day("2005-11-10"), Modified: day("2005-11-10"),
			Summary:  "awstats - missing input sanitising",
			Upstream: []string{"CVE-2005-1527"},
			Affected: []osv.Affected{urgentFixed},
			References: []osv.Reference{
				tracker("DSA-892-1"),
				{Type: "REPORT", URL: "https://bugs.debian.org/322591"},
				{Type: "REPORT", URL: "https://bugs.debian.org/334833"},
				{Type: "REPORT", URL: "https://bugs.debian.org/336137"},
			},
			DatabaseSpecific: json.RawMessage(`{"not_affected":[{"ecosystem":"Debian:3.0","package":"awstats","reason":"vulnerable code not present"}]}`),
		},
		"DSA-746-1": {
			ID: "DSA-746-1", Published: day("2005-07-14"), Modified: day("2005-07-14"),
			Summary:    "phpgroupware - remote command execution",
			Upstream:   []string{"CVE-2005-1921"},
			Affected:   []osv.Affected{phpUnfixed, phpFixed},
			References: []osv.Reference{tracker("DSA-746-1")},
		},
		"DSA-3314-1": {
			ID: "DSA-3314-1", Published: day("2015-07-23"), Modified: day("2015-07-23"),
			Summary: "typo3-sec - end of life",
			Affected: []osv.Affected{{
				Package:           osv.Package{Ecosystem: "Debian:7", Name: "typo3-src"},
				Ranges:            []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}}}},
				EcosystemSpecific: json.RawMessage(`{"fix_state":"wont-fix","debian_status":"end-of-life"}`),
			}},
			References: []osv.Reference{tracker("DSA-3314-1")},
		},
		"DSA-2198-1": {
			ID: "DSA-2198-1", Published: day("2011-03-22"), Modified: day("2011-03-22"),
			Summary:          "tex-common - insufficient input sanitizing",
			Upstream:         []string{"CVE-2011-1400"},
			Affected:         []osv.Affected{fixedIn("Debian:6", "tex-common", "2.08.1")},
			References:       []osv.Reference{tracker("DSA-2198-1")},
			DatabaseSpecific: json.RawMessage(`{"not_affected":[{"ecosystem":"Debian:5","package":"tex-common","reason":"shell_escape disabled"}]}`),
		},
		"DLA-0001-1": {
			ID: "DLA-0001-1", Published: day("2014-06-02"), Modified: day("2014-06-02"),
			Summary:    "gnutls26 - security update",
			Upstream:   []string{"CVE-2014-3466"},
			Affected:   []osv.Affected{fixedIn("Debian:6", "gnutls26", "2.8.6-1+squeeze4")},
			References: []osv.Reference{tracker("DLA-0001-1")},
		},
		"DLA-3380-1": {
			ID: "DLA-3380-1", Published: day("2023-04-01"), Modified: day("2023-04-01"),
			Summary: "firmware-nonfree - security update",
			Upstream: strings.Fields("CVE-2020-12362 CVE-2020-12363 CVE-2020-12364 CVE-2020-24586 CVE-2020-24587 " +
				"CVE-2020-24588 CVE-2021-23168 CVE-2021-23223 CVE-2021-37409 CVE-2021-44545 CVE-2022-21181"),
			Affected:   []osv.Affected{fixedIn("Debian:10", "firmware-nonfree", "20190114+really20220913-0+deb10u1")},
			References: []osv.Reference{tracker("DLA-3380-1")},
		},
	}
	got := map[string]*osv.Record{}
	for _, l := range lists {
		for _, r := range parseFile(t, l.file, l.kind) {
			if want[r.ID] != nil {
				got[r.ID] = r
			}
		}
	}
	for id, w := range want {
		if diff := cmp.Diff(w, got[id]); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", id, diff)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, in, kind string
		line           int
	}{
		{"unknown kind", "", "USN", 0},
		{"indent first", "\t[bullseye] - a 1\n", KindDSA, 1},
		{"bad date", "[32 Foo 2023] DSA-1-1 a - b\n", KindDSA, 1},
		{"wrong kind", "[01 Jan 2023] DLA-1-1 a - b\n", KindDSA, 1},
		{"bad id", "[01 Jan 2023] DSA-x a - b\n", KindDSA, 1},
		{"unknown release", "[01 Jan 2023] DSA-1-1 a\n\t[hamm] - a 1.0\n", KindDSA, 2},
		{"no dash", "[01 Jan 2023] DSA-1-1 a\n\t[bullseye] a 1.0\n", KindDSA, 2},
		{"no version", "[01 Jan 2023] DSA-1-1 a\n\t[bullseye] - a\n", KindDSA, 2},
		{"unknown marker", "[01 Jan 2023] DSA-1-1 a\n\t[bullseye] - a <fixed>\n", KindDSA, 2},
		{"trailing text", "[01 Jan 2023] DSA-1-1 a\n\t[bullseye] - a 1.0 junk\n", KindDSA, 2},
		{"open brace", "[01 Jan 2023] DSA-1-1 a\n\t{CVE-2023-1\n", KindDSA, 2},
		{"garbage", "[01 Jan 2023] DSA-1-1 a\n\tjunk\n", KindDSA, 2},
		{"long line", "[01 Jan 2023] DSA-1-1 a\n\t{" + strings.Repeat("x", MaxLineLength) + "}\n", KindDSA, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTrackerList(strings.NewReader(tt.in), tt.kind)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tt.line, err)
			}
		})
	}
}

func TestEntryLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("[01 Jan 2023] DSA-1-1 a - b\n")
	for range MaxEntries + 1 {
		b.WriteString("\t[bullseye] - a 1.0\n")
	}
	_, err := ParseTrackerList(strings.NewReader(b.String()), KindDSA)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want *ParseError", err)
	}
}
