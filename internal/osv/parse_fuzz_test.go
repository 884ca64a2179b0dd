package osv

import (
	"archive/zip"
	"io"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, p := range []string{"../../../shared/testdata/osv/npm/all.zip", "../../../shared/testdata/osv/Ubuntu/all.zip"} {
		zr, err := zip.OpenReader(p)
		if err != nil {
			f.Logf("seed corpus %s unavailable: %v", p, err)
			continue
		}
		for i, zf := range zr.File {
			if i >= 20 {
				break
			}
			rc, err := zf.Open()
			if err != nil {
				f.Fatal(err)
			}
			buf, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(buf)
		}
		zr.Close()
	}
	f.Add([]byte(`{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz", data)
		if err == nil && r.ID == "" {
			t.Fatal("accepted a record without an id")
		}
	})
}
