package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stdIndented is what encodeIndented must reproduce.
func stdIndented(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestEncodeIndented(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"scalars", []any{1, -2.5e-7, true, false, nil, "s"}},
		{"empty containers", map[string]any{"a": []int{}, "b": map[string]int{}, "c": [][]int{{}}, "d": []any{map[string]any{}}}},
		{"strings with punctuation", map[string]string{`k{[":,]}`: "a \"quoted\" \\ {x: [1, 2]}, <b>&</b>", "\\": "\\\"", "u": "é\u2028\x01"}},
		{"nested", map[string]any{"x": []any{map[string]any{"y": []any{1, []any{2, map[string]any{"z": nil}}}}}}},
		{"top-level string", "x"},
		{"top-level empty array", []*Report{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := encodeIndented(&got, tt.v); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(stdIndented(t, tt.v), got.String()); diff != "" {
				t.Errorf("(-encoding/json +got):\n%s", diff)
			}
		})
	}
}

// FuzzIndentWriter: for any JSON document, indenting its compact form
// while streaming gives what json.Indent gives.
func FuzzIndentWriter(f *testing.F) {
	f.Add([]byte(`{"a":[1,{},[],{"b":"\"}\\"}],"c":null}`))
	f.Add([]byte(`[[],[[]],{"":{"":""}}]`))
	f.Add([]byte(`"x"`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, doc); err != nil {
			return
		}
		compact.WriteByte('\n') // as json.Encoder ends a value
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		iw := &indentWriter{w: bufioWriter(&got)}
		for p := compact.Bytes(); len(p) > 0; p = p[min(len(p), 3):] { // in pieces
			if _, err := iw.Write(p[:min(len(p), 3)]); err != nil {
				t.Fatal(err)
			}
		}
		if err := iw.w.Flush(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("(-json.Indent +got):\n%s", diff)
		}
	})
}

func bufioWriter(b *bytes.Buffer) *bufio.Writer { return bufio.NewWriterSize(b, 16) }

// BenchmarkWriteJSON writes the sample report as `vigil scan --format
// json` does, indenting while streaming.
func BenchmarkWriteJSON(b *testing.B) {
	r := sampleReport(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, []*Report{r}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteJSONEncoderIndent is the same with json.Encoder's own
// indentation, for comparison.
func BenchmarkWriteJSONEncoderIndent(b *testing.B) {
	r := sampleReport(b)
	b.ReportAllocs()
	for b.Loop() {
		enc := json.NewEncoder(io.Discard)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}
