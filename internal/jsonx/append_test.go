package jsonx_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/jsonx"
)

func TestAppendAsMarshal(t *testing.T) {
	strs := []string{"", "plain", `"quoted" \back\`, "<>&", "\x00\x07\b\f\n\r\t\x1f\x7f", "\u2028\u2029", "\xff\xfe", "é日本\U0001F600", "a\xc3"}
	for _, s := range strs {
		want, _ := json.Marshal(s)
		if got := jsonx.AppendString([]byte("x"), s); string(got[1:]) != string(want) {
			t.Errorf("AppendString(%q) = %s, Marshal %s", s, got[1:], want)
		}
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 5e-324, 1e20, 1e21, 123456789e15, math.MaxFloat64}
	for _, f := range floats {
		want, _ := json.Marshal(f)
		got, ok := jsonx.AppendFloat(nil, f)
		if !ok || string(got) != string(want) {
			t.Errorf("AppendFloat(%v) = %s, %v; Marshal %s", f, got, ok, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got, ok := jsonx.AppendFloat([]byte("x"), f); ok || string(got) != "x" {
			t.Errorf("AppendFloat(%v) = %s, %v; want a failure that leaves the buffer", f, got, ok)
		}
	}
	m := map[string]string{"b": "2", "a": "1", "<": "&", "": ""}
	want, _ := json.Marshal(m)
	if diff := cmp.Diff(string(want), string(jsonx.AppendStringMap(nil, m))); diff != "" {
		t.Errorf("AppendStringMap (-Marshal +got):\n%s", diff)
	}
	for _, v := range [][]string{nil, {}, {"a", "<b>"}} {
		want, _ := json.Marshal(v)
		if got := jsonx.AppendStrings(nil, v); string(got) != string(want) {
			t.Errorf("AppendStrings(%q) = %s, Marshal %s", v, got, want)
		}
	}
}

func TestAppendTime(t *testing.T) {
	tests := []struct {
		t  time.Time
		ok bool
	}{
		{time.Time{}, true},
		{time.Date(2026, 11, 28, 6, 7, 8, 900, time.UTC), true},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(23*3600+59*60))), true},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), true},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)), false},
	}
	for _, tt := range tests {
		want, err := json.Marshal(tt.t)
		if (err == nil) != tt.ok {
			t.Fatalf("Marshal(%v): error %v, the test expects ok=%v", tt.t, err, tt.ok)
		}
		got, ok := jsonx.AppendTime([]byte("x"), tt.t)
		switch {
		case ok != tt.ok:
			t.Errorf("AppendTime(%v) ok = %v, want %v", tt.t, ok, tt.ok)
		case ok && string(got[1:]) != string(want):
			t.Errorf("AppendTime(%v) = %s, Marshal %s", tt.t, got[1:], want)
		case !ok && string(got) != "x":
			t.Errorf("AppendTime(%v) failed but changed the buffer: %q", tt.t, got)
		}
	}
}

// FuzzAppendAsMarshal compares the Append functions with Marshal on the
// fuzzer's strings, numbers and times.
func FuzzAppendAsMarshal(f *testing.F) {
	f.Add("<a>\u2028\xff", 1e-7, int64(0), int64(0), int64(0))
	f.Add("", 1e21, int64(253402300799), int64(999999999), int64(-3600))
	f.Fuzz(func(t *testing.T, s string, x float64, sec, nsec, off int64) {
		want, _ := json.Marshal(s)
		if got := jsonx.AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, Marshal %s", s, got, want)
		}
		want, err := json.Marshal(x)
		if got, ok := jsonx.AppendFloat(nil, x); ok != (err == nil) || (ok && string(got) != string(want)) {
			t.Fatalf("AppendFloat(%v) = %s, %v; Marshal %s, %v", x, got, ok, want, err)
		}
		tm := time.Unix(sec, nsec).In(time.FixedZone("", int(off%(30*3600))))
		want, err = json.Marshal(tm)
		if got, ok := jsonx.AppendTime(nil, tm); ok != (err == nil) || (ok && string(got) != string(want)) {
			t.Fatalf("AppendTime(%v) = %s, %v; Marshal %s, %v", tm, got, ok, want, err)
		}
	})
}

func BenchmarkAppendString(b *testing.B) {
	s := "https://github.com/FasterXML/jackson-databind/commit/567194c53ae91f0a14dc27239afb739b1c10448a and <b>prose</b> with \"quotes\" and ünïcödé"
	var buf []byte
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = jsonx.AppendString(buf[:0], s)
	}
}
