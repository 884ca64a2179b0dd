package kev

import (
	"bytes"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data := readCatalog(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
