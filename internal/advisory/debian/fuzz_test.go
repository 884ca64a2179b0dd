package debian

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/osv"
)

func FuzzParseTrackerList(f *testing.F) {
	for _, l := range lists {
		data, err := os.ReadFile(l.file)
		if err != nil {
			f.Fatal(err)
		}
		// Seed with the start of the file and with single advisories from
		// different eras of the list.
		f.Add(data[:4096], l.kind)
		for _, chunk := range bytes.Split(data, []byte("\n["))[1:] {
			if len(chunk)%97 == 0 {
				f.Add(append([]byte("["), chunk...), l.kind)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, kind string) {
		recs, err := ParseTrackerList(bytes.NewReader(data), kind)
		if err != nil {
			return
		}
		// Every unindented line that is not blank or a NOTE starts a record.
		headers := 0
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimRight(l, "\r")
			if strings.TrimSpace(l) != "" && l[0] != ' ' && l[0] != '\t' && !strings.HasPrefix(l, "NOTE:") {
				headers++
			}
		}
		if len(recs) != headers {
			t.Fatalf("%d records from %d header lines", len(recs), headers)
		}
		for _, r := range recs {
			if err := osv.Validate(r); err != nil {
				t.Fatalf("invalid record %s: %v", r.ID, err)
			}
		}
	})
}
