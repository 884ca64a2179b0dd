package kev

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

func FuzzParse(f *testing.F) {
	data, err := os.ReadFile(catalogJSON)
	if err != nil {
		f.Fatal(err)
	}
	// Seeds: small real catalogs made of the first n entries.
	var cat map[string]any
	if err := json.Unmarshal(data, &cat); err != nil {
		f.Fatal(err)
	}
	vulns := cat["vulnerabilities"].([]any)
	for _, n := range []int{0, 1, 3} {
		cat["vulnerabilities"], cat["count"] = vulns[:n], n
		seed, err := json.Marshal(cat)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(c.Lookup()) != len(c.Entries) {
			t.Fatal("duplicate CVE accepted")
		}
		for _, e := range c.Entries {
			if !validCVE(e.CVE) || e.DateAdded == "" {
				t.Fatalf("invalid entry accepted: %+v", e)
			}
		}
	})
}
