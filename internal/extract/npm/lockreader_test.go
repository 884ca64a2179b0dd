package npm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sameAsDecoder checks that ParsePackageLock answers exactly as the
// encoding/json decoder does: the same packages, or an error from both.
func sameAsDecoder(t *testing.T, b []byte) {
	t.Helper()
	got, gerr := ParsePackageLock(context.Background(), b)
	want, werr := decodePackageLock(context.Background(), b)
	if (gerr != nil) != (werr != nil) {
		t.Fatalf("err = %v, decoder's err = %v", gerr, werr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("packages differ from the decoder's (-decoder +got):\n%s", diff)
	}
}

// TestLockReaderRealFiles: every real lockfile is read by the direct
// reader (not handed to encoding/json) and gives the decoder's packages.
func TestLockReaderRealFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(pkgdb, "npm/*.json"))
	if len(files) < 5 {
		t.Fatalf("found %d real lockfiles", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readPackageLock(context.Background(), b)
			if err != nil {
				t.Fatalf("direct reader: %v", err)
			}
			want, err := decodePackageLock(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("no packages")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-decoder +direct):\n%s", diff)
			}
		})
	}
}

// TestLockReaderSubset lists documents on both sides of the direct
// reader's subset; either way ParsePackageLock must answer as the decoder.
func TestLockReaderSubset(t *testing.T) {
	deep := `{"dependencies":` + strings.Repeat(`{"a":{"version":"1.0.0","dependencies":`, 513) + `null` + strings.Repeat(`}}`, 513) + `}`
	tests := []struct {
		name   string
		doc    string
		direct bool // read by the direct reader
	}{
		{"v1", `{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dev":true,"dependencies":{"b":{"version":"npm:c@2.0.0"}}}}}`, true},
		{"v3", `{"lockfileVersion":3,"packages":{"":{},"node_modules/@s/a":{"version":"1.0.0"},"w/node_modules/b":{"name":"c","version":"2.0.0","dev":true},"node_modules/l":{"link":true}}}`, true},
		{"packages win over dependencies", `{"dependencies":{"x":{"version":"9.9.9"}},"packages":{"node_modules/a":{"version":"1.0.0"}}}`, true},
		{"empty packages leave dependencies", `{"packages":{},"dependencies":{"x":{"version":"9.9.9"}}}`, true},
		{"nulls", `{"lockfileVersion":null,"packages":{"node_modules/a":null,"node_modules/b":{"version":null,"dev":null}},"dependencies":null}`, true},
		{"null entries keep packages in use", `{"packages":{"node_modules/a":null},"dependencies":{"x":{"version":"1.0.0"}}}`, true},
		{"escaped names decoded", `{"dependencies":{"\u0040s/a":{"version":"1.0.\u0030"},"caf\u00e9":{"version":"1.0.0"}}}`, true},
		{"later field wins, null keeps", `{"dependencies":{"a":{"version":"1.0.0","version":"2.0.0","dev":true,"dev":null}}}`, true},
		{"skipped values of every kind", `{"x":[1,-0.5e+3,true,false,null,"s\"\\\/\b\f\n\r\t\u00e9",{"y":[]}],"dependencies":{"a":{"requires":{"b":"^1"},"version":"1.0.0"}}}`, true},
		{"dependencies checked when packages win", `{"packages":{"node_modules/a":{"version":"1.0.0"}},"dependencies":{"x":{"version":1}}}`, false},
		{"duplicate dependency", `{"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"1.0.0"}}},"a":{"version":"2.0.0"}}}`, false},
		{"duplicate package path", `{"packages":{"node_modules/a":{"version":"1.0.0"},"node_modules/a":{"version":"2.0.0"}}}`, false},
		{"duplicate top-level map", `{"dependencies":{"a":{"version":"1.0.0"}},"dependencies":{"b":{"version":"2.0.0"}}}`, false},
		{"duplicate nested map", `{"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"1.0.0"}},"dependencies":{"c":{"version":"1.0.0"}}}}}`, false},
		{"field name in another case", `{"dependencies":{"a":{"Version":"1.0.0"}}}`, false},
		{"escaped field name", `{"dependencies":{"a":{"vers\u0069on":"1.0.0"}}}`, false},
		{"field name folding outside ASCII", `{"dependencies":{"a":{"ver\u017fion":"1.0.0"}}}`, false},
		{"version of the wrong type", `{"dependencies":{"a":{"version":1}}}`, false},
		{"dev of the wrong type", `{"packages":{"node_modules/a":{"version":"1.0.0","dev":"yes"}}}`, false},
		{"entry of the wrong type", `{"dependencies":{"a":"1.0.0"}}`, false},
		{"lockfileVersion not an int", `{"lockfileVersion":1.5,"dependencies":{"a":{"version":"1.0.0"}}}`, false},
		{"lockfileVersion too large", `{"lockfileVersion":99999999999999999999}`, false},
		{"top level null", `null`, false},
		{"top level array", `[]`, false},
		{"trailing data", `{"dependencies":{}} x`, false},
		{"bad escape", `{"x":"\q"}`, false},
		{"control character", "{\"x\":\"a\tb\"}", false},
		{"bad number", `{"x":01}`, false},
		{"bad literal", `{"x":tru}`, false},
		{"unterminated", `{"dependencies":{"a":{"version":"1.0.0"}`, false},
		{"tree nested too deeply", deep, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readPackageLock(context.Background(), []byte(tt.doc))
			if direct := !errors.Is(err, errGeneral); direct != tt.direct {
				t.Errorf("read directly = %v (err %v), want %v", direct, err, tt.direct)
			}
			sameAsDecoder(t, []byte(tt.doc))
		})
	}
}

// FuzzPackageLockReader checks the direct reader against encoding/json:
// for any input, ParsePackageLock and the decoder agree.
func FuzzPackageLockReader(f *testing.F) {
	f.Add([]byte(`{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dev":true,"dependencies":{"b":{"version":"npm:c@2.0.0"}}}}}`))
	f.Add([]byte(`{"lockfileVersion":3,"packages":{"":{},"node_modules/@s/a":{"version":"1.0.0"},"w/node_modules/b":{"name":"c","version":"2.0.0","dev":true},"node_modules/l":{"link":true}}}`))
	f.Add([]byte(`{"x":[1,-0.5e+3,true,null,"\u00e9\n"],"dependencies":{"\u0040s/a":{"requires":{"b":"^1"},"version":"1.0.0"}}}`))
	files, _ := filepath.Glob(filepath.Join(pkgdb, "npm/*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 32<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsDecoder(t, b)
	})
}
