package cargo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// naiveLock reads a Cargo.lock line by line, independently of the TOML
// decoder: each [[package]] block's name, version and source lines.
func naiveLock(t *testing.T, b []byte) []model.Package {
	t.Helper()
	var out []model.Package
	var name, version, source string
	in := false
	flush := func() {
		if in && source != "" {
			out = append(out, newPackage(name, version, model.ManagerCargo))
		}
		name, version, source = "", "", ""
	}
	unq := func(l, key string) (string, bool) {
		v, ok := strings.CutPrefix(l, key+" = \"")
		if !ok {
			return "", false
		}
		return strings.TrimSuffix(v, "\""), true
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "[") && !strings.HasPrefix(l, " ") {
			flush()
			in = l == "[[package]]"
			continue
		}
		if v, ok := unq(l, "name"); ok {
			name = v
		} else if v, ok := unq(l, "version"); ok {
			version = v
		} else if v, ok := unq(l, "source"); ok {
			source = v
		}
	}
	flush()
	return out
}

func TestLockRealFiles(t *testing.T) {
	tests := []struct {
		file      string
		wantCount int // counted by hand: [[package]] blocks with a source
		local     []string
	}{
		{file: "Cargo.v3.lock", wantCount: 8, local: []string{"app"}},
		{file: "Cargo.lock", wantCount: 73},
		{file: "testdata/Cargo.v4.lock", wantCount: 2, local: []string{"real-vuln-rust-project"}},
	}
	e := NewLock()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			name := pkgdb + tc.file
			if strings.HasPrefix(tc.file, "testdata/") {
				name = tc.file
			}
			b := readFile(t, name)
			got, err := e.Extract(context.Background(), input(t, "/src/Cargo.lock", b))
			if err != nil {
				t.Fatal(err)
			}
			want := naiveLock(t, b)
			sortPkgs(got)
			sortPkgs(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			if len(got) != tc.wantCount {
				t.Errorf("got %d packages, want %d", len(got), tc.wantCount)
			}
			for _, p := range got {
				for _, l := range tc.local {
					if p.Name == l {
						t.Errorf("local crate %q reported", l)
					}
				}
			}
		})
	}
}

func TestLockV3Exact(t *testing.T) {
	b := readFile(t, pkgdb+"Cargo.v3.lock")
	got, err := NewLock().Extract(context.Background(), input(t, "/Cargo.lock", b))
	if err != nil {
		t.Fatal(err)
	}
	mk := func(n, v string) model.Package {
		return model.Package{Ecosystem: model.EcosystemCrates, Name: n, Version: v,
			PURL: "pkg:cargo/" + n + "@" + v, Manager: model.ManagerCargo}
	}
	want := []model.Package{
		mk("aho-corasick", "0.7.20"), mk("libc", "0.2.140"), mk("memchr", "1.0.2"),
		mk("memchr", "2.5.0"), mk("regex", "1.7.3"), mk("regex-syntax", "0.5.6"),
		mk("regex-syntax", "0.6.29"), mk("ucd-util", "0.1.10"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLockErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		limit   int64
		wantErr any
	}{
		{name: "not toml", data: "[[package]\nname = ", wantErr: &extract.ParseError{}},
		{name: "deep arrays", data: "a = " + strings.Repeat("[", 1_000_000), wantErr: &extract.ParseError{}},
		{name: "deep tables", data: "a = " + strings.Repeat("{b=", 1_000_000), wantErr: &extract.ParseError{}},
		{name: "too big", data: strings.Repeat("# x\n", 100), limit: 10, wantErr: &extract.LimitError{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input(t, "/Cargo.lock", []byte(tc.data))
			if tc.limit > 0 {
				in.Limits.MaxFileSize = tc.limit
			}
			_, err := NewLock().Extract(context.Background(), in)
			switch want := tc.wantErr.(type) {
			case *extract.ParseError:
				if !errors.As(err, &want) {
					t.Fatalf("err = %v, want ParseError", err)
				}
			case *extract.LimitError:
				if !errors.As(err, &want) || want.Limit != "max-file-size" {
					t.Fatalf("err = %v, want LimitError", err)
				}
			}
		})
	}
}

func TestLockRequired(t *testing.T) {
	e := NewLock()
	for p, want := range map[string]bool{
		"/a/Cargo.lock": true, "/Cargo.lock": true, "/a/Cargo.toml": false, "/a/cargo.lock.bak": false,
	} {
		if got := e.Required(extract.FileInfo{Path: p}); got != want {
			t.Errorf("Required(%q) = %v, want %v", p, got, want)
		}
	}
}

func FuzzLock(f *testing.F) {
	for _, n := range []string{pkgdb + "Cargo.lock", pkgdb + "Cargo.v3.lock", "testdata/Cargo.v4.lock"} {
		b, err := readFileF(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewLock().Extract(context.Background(), input(t, "/Cargo.lock", b))
	})
}

func BenchmarkLock(b *testing.B) {
	data := readFile(b, pkgdb+"Cargo.lock")
	e := NewLock()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := e.Extract(context.Background(), input(b, "/Cargo.lock", data)); err != nil {
			b.Fatal(err)
		}
	}
}
