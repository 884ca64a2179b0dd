package nvd

import (
	"bytes"
	"os"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, path := range files(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 32<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cves, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range cves {
			if !validCVE(c.ID) || c.Published.IsZero() {
				t.Fatalf("invalid CVE accepted: %+v", c)
			}
			for _, v := range c.CVSS {
				if v.Vector == "" || v.BaseScore < 0 || v.BaseScore > 10 {
					t.Fatalf("invalid metric accepted: %+v", v)
				}
			}
		}
	})
}
