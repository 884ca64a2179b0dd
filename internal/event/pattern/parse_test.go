package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stdParse is the reference: encoding/json with numbers kept, one value,
// then the same conversion.
func stdParse(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data")
	}
	return convert(v), nil
}

var numCmp = cmp.Comparer(func(a, b num) bool { return a == b })

func TestParseJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range []string{
		ec2Event,
		`{"a":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\"}`,
		`{"a":"\ud83d"}`, `{"a":"\ud83dx"}`, `{"a":"\ude00\ud83d"}`, `{"a":"\ud83d\u0041"}`,
		"{\"a\":\"\xff\xfe ok \xe2\x82\"}",
		`{"n":[0,-0,1e400,-1.5E-3,12345678901234567890,5e9,5.0000001]}`,
		` {"a" : [ ] , "b" : { } } `, `{"a":1,"a":2}`,
		`{}`, `[]`, `"x"`, `1`, `true`, `null`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":tru}`, `{"a":"\x"}`, `{"a":"\u12"}`,
		"{\"a\":\"\x01\"}", `{"a":1,}`, `{,}`, `{"a" 1}`, `[1 2]`, `{"a":1} {}`, `{"a":1} x`, ``, ` `,
		"\ufeff{}",
	} {
		got, gerr := parseJSON([]byte(in))
		want, werr := stdParse([]byte(in))
		if (gerr == nil) != (werr == nil) {
			t.Errorf("%q: error %v, encoding/json %v", in, gerr, werr)
			continue
		}
		if diff := cmp.Diff(want, got, numCmp); diff != "" {
			t.Errorf("%q (-encoding/json +parseJSON):\n%s", in, diff)
		}
	}
}

// FuzzParseJSON checks the parser against encoding/json on arbitrary
// input: same acceptance, same values.
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(ec2Event))
	f.Add([]byte(`{"a":"\ud83d\ude00","b":[1e400,-0.0,{"c":null}]}`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gerr := parseJSON(data)
		want, werr := stdParse(data)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: error %v, encoding/json %v", data, gerr, werr)
		}
		if diff := cmp.Diff(want, got, numCmp); diff != "" {
			t.Fatalf("%q (-encoding/json +parseJSON):\n%s", data, diff)
		}
	})
}
