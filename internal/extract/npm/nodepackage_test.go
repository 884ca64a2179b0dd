package npm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func TestNodePackageRealFiles(t *testing.T) {
	var found []string
	err := filepath.WalkDir("testdata/node_modules", func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "package.json" {
			found = append(found, p)
		}
		return err
	})
	if err != nil || len(found) != 4 {
		t.Fatalf("found %v, %v", found, err)
	}
	e := NewNodePackage()
	for _, f := range found {
		t.Run(f, func(t *testing.T) {
			virt := "/" + filepath.ToSlash(f)
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var m struct{ Name, Version, License string }
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			var want []model.Package
			if m.Name != "" && m.Version != "" {
				if !e.Required(fileInfo(virt)) {
					t.Errorf("Required(%q) = false", virt)
				}
				want = []model.Package{{
					Ecosystem: model.EcosystemNPM, Name: m.Name, Version: m.Version,
					PURL:    "pkg:npm/" + strings.ReplaceAll(strings.ToLower(m.Name), "@", "%40") + "@" + m.Version,
					Manager: model.ManagerNodePkg, Licenses: []string{m.License},
				}}
			}
			got, err := e.Extract(t.Context(), input(t, f, virt))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNodePackage(t *testing.T) {
	tests := []struct {
		doc     string
		name    string
		ok, err bool
		license []string
	}{
		{doc: `{"name":"a","version":"1.0.0","license":{"type":"MIT"}}`, name: "a", ok: true, license: []string{"MIT"}},
		{doc: `{"name":"a"}`},
		{doc: `{"version":"1.0.0"}`},
		{doc: `{"type":"module"}`},
		{doc: `{"name":"a b","version":"1"}`},
		{doc: `[1,2]`, err: true},
		{doc: `not json`, err: true},
	}
	for _, tt := range tests {
		p, ok, err := ParseNodePackage([]byte(tt.doc))
		if (err != nil) != tt.err || ok != tt.ok || p.Name != tt.name || !cmp.Equal(p.Licenses, tt.license) {
			t.Errorf("ParseNodePackage(%s) = %+v, %v, %v", tt.doc, p, ok, err)
		}
	}
}
