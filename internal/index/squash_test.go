package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/fsx"
	"github.com/vigilsec/vigil/internal/model"
)

// tl describes a synthetic layer for squash tests.
type tl struct {
	files     map[string][]string // path -> "name=version" packages found there
	others    []string            // other non-directory paths
	dirs      []string
	whiteouts []string
	opaques   []string
}

type nameOnly struct{ extract.Extractor }

func (nameOnly) Name() string { return "x" }

func mkLayers(ls ...tl) []*layerResult {
	var out []*layerResult
	for i, l := range ls {
		r := &layerResult{id: string(rune('A' + i)), paths: fsx.NewPathSet(), ext: map[string]*extractorEntry{"x": {Packages: map[string][]model.Package{}}}}
		r.meta.Whiteouts, r.meta.Opaques = l.whiteouts, l.opaques
		for p, pkgs := range l.files {
			r.paths.Add(p, false)
			for _, nv := range pkgs {
				var name, ver string
				for j := range nv {
					if nv[j] == '=' {
						name, ver = nv[:j], nv[j+1:]
					}
				}
				r.ext["x"].Packages[p] = append(r.ext["x"].Packages[p], model.Package{Name: name, Version: ver, Path: p})
			}
		}
		for _, p := range l.others {
			r.paths.Add(p, false)
		}
		for _, p := range l.dirs {
			r.paths.Add(p, true)
		}
		r.index()
		out = append(out, r)
	}
	return out
}

func TestSquash(t *testing.T) {
	const f = "/var/lib/db"
	tests := []struct {
		name   string
		layers []tl
		want   []string // "name=version@layer"
	}{
		{"rewritten unchanged keeps the first layer", []tl{
			{files: map[string][]string{f: {"a=1", "b=1"}}},
			{files: map[string][]string{f: {"a=1", "b=2", "c=1"}}},
			{files: map[string][]string{f: {"a=1", "b=2", "c=1"}}},
		}, []string{"a=1@A", "b=2@B", "c=1@B"}},
		{"untouched layers keep the run", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{others: []string{"/other"}},
			{files: map[string][]string{f: {"a=1"}}},
		}, []string{"a=1@A"}},
		{"whiteout breaks the run", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{whiteouts: []string{f}},
			{files: map[string][]string{f: {"a=1"}}},
		}, []string{"a=1@C"}},
		{"whiteout deletes", []tl{
			{files: map[string][]string{f: {"a=1"}, "/keep": {"k=1"}}},
			{whiteouts: []string{"/var/lib"}},
		}, []string{"k=1@A"}},
		{"opaque parent and re-add in the same layer", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{opaques: []string{"/var/lib"}, files: map[string][]string{f: {"a=1"}}},
		}, []string{"a=1@B"}},
		{"file over a parent directory deletes", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{others: []string{"/var"}},
		}, nil},
		{"replaced by a file no extractor read", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{others: []string{f}},
		}, nil},
		{"replaced by a directory", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{dirs: []string{f}},
		}, nil},
		{"directory in a higher layer merges", []tl{
			{files: map[string][]string{f: {"a=1"}}},
			{dirs: []string{"/var/lib"}},
		}, []string{"a=1@A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, _ := squash(mkLayers(tt.layers...), []extract.Extractor{nameOnly{}})
			var got []string
			for _, p := range pkgs {
				got = append(got, p.Name+"="+p.Version+"@"+p.Layer)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSquashOSFilesThroughLinks(t *testing.T) {
	ls := mkLayers(tl{others: []string{"/usr/lib/os-release", "/etc/os-release"}}, tl{others: []string{"/etc/os-release"}})
	ls[0].meta.OSFiles = map[string][]byte{"/usr/lib/os-release": []byte("ID=debian\n")}
	ls[0].meta.Symlinks = map[string]string{"/etc/os-release": "/usr/lib/os-release"}
	ls[1].meta.Symlinks = map[string]string{"/etc/os-release": "/etc/os-release"} // a loop
	got := squashOSFiles(ls)
	if diff := cmp.Diff(map[string][]byte{"/usr/lib/os-release": []byte("ID=debian\n")}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
