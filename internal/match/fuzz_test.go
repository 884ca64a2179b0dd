package match

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/osv"
)

// FuzzBuildAndMatch builds an index from one arbitrary record and matches
// a package against it: neither may panic, whatever the record says.
func FuzzBuildAndMatch(f *testing.F) {
	for _, r := range distroRecords {
		f.Add([]byte(r), "openssl", "3.0.0-1")
	}
	f.Add([]byte(rec("X-1", "npm", "pkg", semverRange(`{"introduced":"0"}`, `{"fixed":"1.0.2"}`, `{"limit":"x"}`), `["1.0.0"]`)), "pkg", "1.0.0")
	f.Add([]byte(rec("X-2", "PyPI", "Pkg", `[{"type":"ECOSYSTEM","events":[{"introduced":"1!2.0"},{"last_affected":"2.0.post1"}]}]`, "[]")), "pkg", "1!2.0")
	f.Fuzz(func(t *testing.T, data []byte, name, ver string) {
		r, err := osv.Parse("fuzz", data)
		if err != nil {
			return
		}
		seq := func(yield func(*osv.Record, error) bool) { yield(r, nil) }
		ix, err := Build(context.Background(), "fuzz", seq, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Affected {
			base := a.Package.Ecosystem
			for i := 0; i < len(base); i++ {
				if base[i] == ':' {
					base = base[:i]
					break
				}
			}
			os := &model.OS{Ecosystem: model.Ecosystem(base), Release: "12"}
			for _, n := range []string{name, a.Package.Name} {
				p := model.Package{Ecosystem: model.Ecosystem(base), Name: n, Version: ver, SourceName: n}
				vulns, _ := ix.MatchPackage(context.Background(), &p, os, Options{Target: model.TargetHost})
				for _, v := range vulns {
					if v.ID == "" || len(v.Evidence) == 0 {
						t.Fatalf("vulnerability without id or evidence: %+v", v)
					}
				}
			}
		}
	})
}

func TestLookupAllocations(t *testing.T) {
	ix := sharedIndex(t)
	ctx := context.Background()
	absent := model.Package{Ecosystem: "npm", Name: "no-such-package-anywhere", Version: "1.0.0"}
	if n := testing.AllocsPerRun(200, func() { ix.MatchPackage(ctx, &absent, nil, Options{}) }); n != 0 {
		t.Errorf("looking up an absent package allocates %.0f times, want 0", n)
	}
	clean := model.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.21"}
	if n := testing.AllocsPerRun(200, func() { ix.MatchPackage(ctx, &clean, nil, Options{}) }); n > 1 {
		t.Errorf("checking a present, unaffected package allocates %.0f times, want at most 1 (its parsed version)", n)
	}
}
