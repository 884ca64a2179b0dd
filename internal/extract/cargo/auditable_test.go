package cargo

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

func TestAuditableRealBinary(t *testing.T) {
	b := readFile(t, "testdata/uses_serde_json")
	got, err := NewAuditable().Extract(context.Background(), input(t, "/usr/bin/uses_json", b))
	if err != nil {
		t.Fatal(err)
	}
	// Read from the section with objcopy + zlib by hand (testdata/SOURCES.md);
	// the local root crate uses_json is skipped.
	mk := func(n, v string) model.Package { return newPackage(n, v, model.ManagerCargo) }
	want := []model.Package{
		mk("itoa", "1.0.14"), mk("memchr", "2.7.4"), mk("proc-macro2", "1.0.92"),
		mk("quote", "1.0.38"), mk("ryu", "1.0.18"), mk("serde", "1.0.217"),
		mk("serde_derive", "1.0.217"), mk("serde_json", "1.0.135"), mk("syn", "2.0.95"),
		mk("unicode-ident", "1.0.14"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got[0].PURL != "pkg:cargo/itoa@1.0.14" {
		t.Errorf("purl = %q", got[0].PURL)
	}
}

func TestAuditableNotBinary(t *testing.T) {
	for name, data := range map[string][]byte{
		"lockfile":  readFile(t, pkgdb+"Cargo.v3.lock"),
		"short":     []byte("\x7f"),
		"bad elf":   append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...),
		"go binary": nil,
	} {
		t.Run(name, func(t *testing.T) {
			if data == nil {
				b, err := readFileF("../../../../shared/testdata/pkgdb/go/binary/binary_with_module_replacement-linux-amd64")
				if err != nil {
					t.Skip(err)
				}
				data = b
			}
			got, err := NewAuditable().Extract(context.Background(), input(t, "/bin/x", data))
			if len(got) != 0 {
				t.Errorf("got %d packages from a file without a section", len(got))
			}
			var pe *extract.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("err = %v, want nil or ParseError", err)
			}
			if name == "go binary" && err != nil {
				t.Errorf("real ELF without section: err = %v", err)
			}
		})
	}
}

func zlibBytes(t testing.TB, s string) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeDeps runs the section decoder on JSON compressed in-test (the
// format of cargo-auditable's .dep-v0), covering build kinds, git sources
// and a decompression bomb.
func TestDecodeDeps(t *testing.T) {
	bomb := `{"packages":[{"name":"x","version":"1","source":"crates.io","pad":"` + strings.Repeat("a", 1<<20) + `"}]}`
	tests := []struct {
		name      string
		json      string
		want      []model.Package
		wantLimit bool
	}{
		{
			name: "kinds and sources",
			json: `{"packages":[{"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},` +
				`{"name":"gitdep","version":"0.2.0","source":"git"},{"name":"me","version":"0.1.0","source":"local","root":true}]}`,
			want: []model.Package{
				func() model.Package { p := newPackage("cc", "1.0.83", model.ManagerCargo); p.Dev = true; return p }(),
				newPackage("gitdep", "0.2.0", model.ManagerCargo),
			},
		},
		{name: "bomb", json: bomb, wantLimit: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeDeps(zlibBytes(t, tc.json), 200)
			if tc.wantLimit {
				var le *extract.LimitError
				if !errors.As(err, &le) || le.Limit != "max-ratio" {
					t.Fatalf("err = %v, want max-ratio LimitError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditableRequired(t *testing.T) {
	e := NewAuditable()
	tests := []struct {
		f    extract.FileInfo
		want bool
	}{
		{extract.FileInfo{Path: "/usr/bin/rg", Mode: 0o755, Size: 1 << 20}, true},
		{extract.FileInfo{Path: "/app/tool.exe", Mode: 0o644, Size: 1 << 20}, true},
		{extract.FileInfo{Path: "/etc/passwd", Mode: 0o644, Size: 1 << 10}, false},
		{extract.FileInfo{Path: "/usr/bin/tiny", Mode: 0o755, Size: 10}, false},
	}
	for _, tc := range tests {
		if got := e.Required(tc.f); got != tc.want {
			t.Errorf("Required(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func FuzzAuditable(f *testing.F) {
	f.Add(readFile(f, "testdata/uses_serde_json"))
	f.Add(zlibBytes(f, `{"packages":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewAuditable().Extract(context.Background(), input(t, "/bin/x", b))
		_, _ = decodeDeps(b, 200)
	})
}
