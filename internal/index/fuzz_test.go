package index

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
)

// FuzzCacheFiles feeds hostile bytes to the layer cache reader: a
// corrupt cache file is a miss, never a panic.
func FuzzCacheFiles(f *testing.F) {
	var meta, entry bytes.Buffer
	gob.NewEncoder(&meta).Encode(&layerMeta{Version: metaVersion, Whiteouts: []string{"/a"}, NonDirs: []uint64{1, 2}, OSFiles: map[string][]byte{"/etc/os-release": []byte("ID=x")}})
	gob.NewEncoder(&entry).Encode(&extractorEntry{Packages: map[string][]model.Package{"/p": {{Name: "n", Version: "1"}}}})
	f.Add(meta.Bytes())
	f.Add(entry.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.gob")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var m layerMeta
		if readGob(p, &m) == nil {
			l := &layerResult{meta: m}
			l.index()
			l.hides("/a/b")
		}
		var e extractorEntry
		_ = readGob(p, &e)
	})
}
