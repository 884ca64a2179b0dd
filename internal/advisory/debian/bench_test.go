package debian

import (
	"bytes"
	"os"
	"testing"
)

func BenchmarkParseTrackerList(b *testing.B) {
	for _, l := range lists {
		data, err := os.ReadFile(l.file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(l.kind, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseTrackerList(bytes.NewReader(data), l.kind); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
