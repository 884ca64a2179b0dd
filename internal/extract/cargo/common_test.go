package cargo

import (
	"bytes"
	"os"
	"sort"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const pkgdb = "../../../../shared/testdata/pkgdb/cargo/"

func input(t testing.TB, path string, b []byte) *extract.Input {
	t.Helper()
	l := extract.DefaultLimits()
	r := bytes.NewReader(b)
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o755, Size: int64(len(b))},
		Reader:   r, ReaderAt: bytes.NewReader(b), Limits: &l,
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sortPkgs(p []model.Package) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].Name != p[j].Name {
			return p[i].Name < p[j].Name
		}
		return p[i].Version < p[j].Version
	})
}

func readFileF(name string) ([]byte, error) { return os.ReadFile(name) }
