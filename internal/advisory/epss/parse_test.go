package epss

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/model"
)

const sample = "../../../../shared/testdata/epss/epss_scores-2025-02-20.first5rows.csv"

func readSample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// expected reads the rows after the comment and header with encoding/csv
// and strconv, independently of Parse.
func expected(t *testing.T, data []byte, date string) []model.EPSS {
	t.Helper()
	body := data[bytes.IndexByte(data, '\n')+1:]
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []model.EPSS
	for _, row := range rows[1:] {
		s, err1 := strconv.ParseFloat(row[1], 64)
		p, err2 := strconv.ParseFloat(row[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		out = append(out, model.EPSS{CVE: row[0], Score: s, Percentile: p, Date: date})
	}
	return out
}

func TestRealSample(t *testing.T) {
	data := readSample(t)
	want := expected(t, data, "2025-02-20")
	if len(want) != 5 {
		t.Fatalf("sample has %d rows, want 5", len(want))
	}
	for name, in := range map[string][]byte{"plain": data, "gzip": gzipped(t, data)} {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if got.ModelVersion != "v2023.03.01" || got.Date != "2025-02-20" {
				t.Errorf("model %q date %q", got.ModelVersion, got.Date)
			}
			if diff := cmp.Diff(want, got.Entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
	// The file's last row, read by hand.
	got, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(model.EPSS{CVE: "CVE-1999-0005", Score: 0.91963, Percentile: 0.99214, Date: "2025-02-20"},
		got.Lookup()["CVE-1999-0005"]); diff != "" {
		t.Error(diff)
	}
}

func TestWithoutComment(t *testing.T) {
	data := readSample(t)
	body := data[bytes.IndexByte(data, '\n')+1:]
	got, err := Parse(bytes.NewReader(bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n"))))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Scores{Entries: expected(t, data, "")}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	const head = "#model_version:v1,score_date:2025-02-20T00:00:00+0000\ncve,epss,percentile\n"
	tests := []struct {
		name, in string
		line     int
	}{
		{"empty", "", 0},
		{"comment only", "#model_version:v1\n", 1},
		{"bad header", "#x\ncve,score\n", 2},
		{"bad date", "#score_date:tomorrow\ncve,epss,percentile\n", 1},
		{"two fields", head + "CVE-2020-1234,0.1\n", 3},
		{"four fields", head + "CVE-2020-1234,0.1,0.2,0.3\n", 3},
		{"bad cve", head + "CVE-20-1234,0.1,0.2\n", 3},
		{"score above 1", head + "CVE-2020-1234,1.5,0.2\n", 3},
		{"negative", head + "CVE-2020-1234,0.1,-0.2\n", 3},
		{"nan", head + "CVE-2020-1234,NaN,0.2\n", 3},
		{"empty score", head + "CVE-2020-1234,,0.2\n", 3},
		{"long line", head + "CVE-2020-1234,0." + strings.Repeat("1", MaxLineLength) + ",0.2\n", 3},
		{"bad gzip", "\x1f\x8b junk", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tt.line, err)
			}
		})
	}
}

// TestProbabilityMatchesStrconv checks the fast path against strconv on
// every shape the files use and some they do not.
func TestProbabilityMatchesStrconv(t *testing.T) {
	var inputs []string
	for i := 0; i <= 100000; i += 7 {
		inputs = append(inputs, fmt.Sprintf("0.%05d", i%100000), fmt.Sprintf("0.%09d", i*7919))
	}
	inputs = append(inputs, "1", "1.0", "1.00000", "0", "0.", ".5", "5e-1", "0.123456789012345678", "1e-05")
	for _, in := range inputs {
		got, ok := probability([]byte(in))
		want, err := strconv.ParseFloat(in, 64)
		if !ok || err != nil || got != want {
			t.Errorf("probability(%q) = %v, %v; strconv says %v, %v", in, got, ok, want, err)
		}
	}
}
