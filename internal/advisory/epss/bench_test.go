package epss

import (
	"bytes"
	"fmt"
	"testing"
)

// synthetic builds a daily file of n rows shaped like the real sample: its
// comment and header lines, then rows "CVE-YYYY-NNNNN,0.ddddd,0.ddddd".
func synthetic(b *testing.B, n int) []byte {
	b.Helper()
	real := readSample(b)
	lines := bytes.SplitAfterN(real, []byte("\n"), 3)
	var buf bytes.Buffer
	buf.Write(lines[0])
	buf.Write(lines[1])
	x := uint32(2463534242)
	for i := range n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		fmt.Fprintf(&buf, "CVE-%d-%04d,0.%05d,0.%05d\n", 1999+i/12000, i%12000, x%100000, (x>>7)%100000)
	}
	return buf.Bytes()
}

func BenchmarkParse(b *testing.B) {
	plain := synthetic(b, 300_000)
	for name, data := range map[string][]byte{"plain-300k": plain, "gzip-300k": gzipped(b, plain)} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				s, err := Parse(bytes.NewReader(data))
				if err != nil || len(s.Entries) != 300_000 {
					b.Fatal(err)
				}
			}
		})
	}
}
