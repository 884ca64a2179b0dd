package alpine

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/osv"
)

func BenchmarkParseSecDB(b *testing.B) {
	for _, name := range []string{"main.json", "main.yaml"} {
		data, err := os.ReadFile(filepath.Join(testdata, "v3.11", name))
		if err != nil {
			b.Fatal(err)
		}
		parse := ParseSecDB
		if filepath.Ext(name) == ".yaml" {
			parse = ParseSecDBYAML
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parse(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMergeSecDB(b *testing.B) {
	var all [][]*osv.Record
	for _, path := range secdbFiles(b, "json") {
		all = append(all, parseFile(b, path))
	}
	b.ReportAllocs()
	for b.Loop() {
		MergeSecDB(all...)
	}
}
