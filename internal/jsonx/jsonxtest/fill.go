// Package jsonxtest fills values of any type at random with the cases
// that trouble JSON encoders, for tests comparing a hand-written encoder
// (internal/jsonx.Writer) with encoding/json.
package jsonxtest

import (
	"math"
	"math/rand/v2"
	"reflect"
	"time"
)

// Fill sets every exported field reachable from ptr (a pointer) to
// random values: each pointer, slice and map nil, empty or set, each
// string, number and time one of Strings, Floats and Times.
func Fill(r *rand.Rand, ptr any) { fill(r, reflect.ValueOf(ptr).Elem(), 0) }

// Strings, Floats and Times are what Fill picks from: the awkward cases
// of each encoder (escapes, HTML characters, line separators, invalid
// UTF-8, exponent forms, negative zero, zones). None makes Marshal fail.
var (
	Strings = []string{"", "a", "CVE-2024-1234", `quote " and \ backslash`, "<script>&amp;</script>",
		"line\u2028sep\u2029", "bad \xff utf8 \xc3", "ctl \x00\x01\x1f\b\f\n\r\t\x7f", "ünïcödé 日本", "https://example.com/a?b=c&d=e"}
	Floats = []float64{0, 1, -2.5, 9.8, 0.1, 1e-7, 1.5e-6, 1e-6, 999999999999999999999.0, 1e21, 1e300, -1e-300,
		5e-324, 123456.789, math.Copysign(0, -1)}
	Times = []time.Time{{}, time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), time.Date(2021, 1, 2, 3, 4, 5, 123456000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("x", 5*3600+1800)),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("y", -(23*3600+59*60)))}
)

// fill sets v, recursively, to random values: zero, empty or set.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(Times[r.IntN(len(Times))]))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(Strings[r.IntN(len(Strings))])
	case reflect.Float64:
		v.SetFloat(Floats[r.IntN(len(Floats))])
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(r.IntN(2000) - 1000))
	case reflect.Uint8:
		v.SetUint(uint64(r.IntN(256)))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Pointer:
		if r.IntN(4) == 0 || depth > 6 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch k := r.IntN(5); {
		case k == 0 || depth > 6:
			v.SetZero()
		default:
			s := reflect.MakeSlice(v.Type(), k-1, k-1)
			for i := range s.Len() {
				fill(r, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Map:
		switch k := r.IntN(5); k {
		case 0:
			v.SetZero()
		default:
			m := reflect.MakeMap(v.Type())
			for range k - 1 {
				key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(r, key, depth+1)
				fill(r, val, depth+1)
				m.SetMapIndex(key, val)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	default:
		panic("fill: unhandled kind " + v.Kind().String() + " of " + v.Type().String())
	}
}
