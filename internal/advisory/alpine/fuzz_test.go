package alpine

import (
	"bytes"
	"os"
	"testing"

	"github.com/vigilsec/vigil/internal/osv"
)

func FuzzParseSecDB(f *testing.F) {
	for _, path := range secdbFiles(f, "json") {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 8192 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"distroversion":"v3.10","reponame":"main","packages":[{"pkg":{"name":"xen","secfixes":{"4.7.1-r3":["CVE-2016-9932 XSA-200"],"0":["CVE-2016-1"]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ParseSecDB(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range recs {
			if err := osv.Validate(r); err != nil {
				t.Fatalf("invalid record %s: %v", r.ID, err)
			}
		}
		MergeSecDB(recs, recs)
	})
}

func FuzzParseSecDBYAML(f *testing.F) {
	for _, path := range secdbFiles(f, "yaml") {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 8192 {
			f.Add(data)
		}
	}
	f.Add([]byte("distroversion: v3.10\npackages:\n  - pkg:\n      name: a\n      secfixes:\n        1.0-r0:\n          - CVE-2020-1234\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ParseSecDBYAML(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range recs {
			if err := osv.Validate(r); err != nil {
				t.Fatalf("invalid record %s: %v", r.ID, err)
			}
		}
	})
}
