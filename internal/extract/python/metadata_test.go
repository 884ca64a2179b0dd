package python

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

func TestMetadataRealFiles(t *testing.T) {
	all := append(glob(t, "dist-metadata/*.dist-info/METADATA"), glob(t, "dist-metadata/*.egg-info/PKG-INFO")...)
	if len(all) != 6 {
		t.Fatalf("found %d metadata files, want 6", len(all))
	}
	for _, f := range all {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			// Independent reading: net/mail parses the RFC 822 headers.
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			want := []nv{{msg.Header.Get("Name"), msg.Header.Get("Version"), false}}
			// The directory names the distribution too.
			dir := filepath.Base(filepath.Dir(f))
			if !strings.HasPrefix(dir, want[0].Name+"-"+want[0].Version) {
				t.Errorf("directory %s does not match %v", dir, want)
			}
			virt := "/usr/lib/python3/site-packages/" + dir + "/" + filepath.Base(f)
			got := run(t, NewMetadata(), f, virt, model.ManagerPython)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		name, doc string
		want      model.Package
		err       bool
	}{
		{
			name: "licence expression wins, body ignored",
			doc:  "Metadata-Version: 2.4\r\nName: Foo.Bar\r\nVersion: 1.0\r\nLicense: X\r\nLicense-Expression: MIT\r\n\r\nName: other\r\n",
			want: model.Package{Ecosystem: model.EcosystemPyPI, Name: "Foo.Bar", Version: "1.0", PURL: "pkg:pypi/foo-bar@1.0", Manager: model.ManagerPython, Licenses: []string{"MIT"}},
		},
		{
			name: "UNKNOWN licence, continuation lines",
			doc:  "Name: a\nDescription: x\n  Version: 9\nVersion: 2\nLicense: UNKNOWN\n",
			want: model.Package{Ecosystem: model.EcosystemPyPI, Name: "a", Version: "2", PURL: "pkg:pypi/a@2", Manager: model.ManagerPython},
		},
		{name: "no version", doc: "Name: a\n", err: true},
		{name: "version after the headers", doc: "Name: a\n\nVersion: 1\n", err: true},
		{name: "bad name", doc: "Name: a b\nVersion: 1\n", err: true},
		{name: "empty", doc: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata([]byte(tt.doc))
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	e := NewMetadata()
	_, err := e.Extract(t.Context(), input(t, filepath.Join(pkgdb, "SOURCES.md"), "/x/PKG-INFO"))
	var pe *extract.ParseError
	if !errorsAs(err, &pe) || pe.Extractor != MetadataName {
		t.Errorf("err = %v, want a ParseError", err)
	}
}
