package epss

import (
	"bytes"
	"strconv"
	"testing"
)

func FuzzParse(f *testing.F) {
	data := readSample(f)
	f.Add(data)
	f.Add(gzipped(f, data))
	f.Add(data[bytes.IndexByte(data, '\n')+1:])
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, e := range s.Entries {
			if !validCVE([]byte(e.CVE)) || e.Score < 0 || e.Score > 1 || e.Percentile < 0 || e.Percentile > 1 {
				t.Fatalf("invalid entry accepted: %+v", e)
			}
		}
	})
}

func FuzzProbability(f *testing.F) {
	for _, s := range []string{"0.00383", "0.73075", "1", "0.", "1e-05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := probability([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || got != want {
			t.Fatalf("probability(%q) = %v; strconv says %v, %v", s, got, want, err)
		}
	})
}
