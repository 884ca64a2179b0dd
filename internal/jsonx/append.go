package jsonx

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The Append functions write single JSON values into a buffer, byte for
// byte as encoding/json's Marshal writes them (HTML-safe escaping, its
// float and time formats), for hand-written encoders of hot types whose
// output must stay identical to Marshal's (a finding's fingerprint is a
// digest of its JSON). Tests compare every writer with Marshal.

// escapes says how encoding/json writes each byte inside a string: 0 as
// itself, 'u' as \u00XX, 'm' as the start of a multi-byte character
// (checked for U+2028, U+2029 and invalid UTF-8), any other letter as a
// backslash and that letter. Indexed by any byte, the loop over a string
// needs no bounds check.
var escapes = func() (t [256]byte) {
	for b := range byte(0x20) {
		t[b] = 'u'
	}
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = 'b', 'f', 'n', 'r', 't'
	t['"'], t['\\'] = '"', '\\'
	t['<'], t['>'], t['&'] = 'u', 'u', 'u'
	for b := utf8.RuneSelf; b < 256; b++ {
		t[b] = 'm'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string: quotes, backslash escapes for
// quotes, backslashes and control characters, \u escapes for <, > and &,
// U+2028 and U+2029, and U+FFFD (as \ufffd) for each byte of invalid
// UTF-8.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	run := 0 // start of the bytes not yet copied
	for i := 0; i < len(s); {
		// Four plain bytes at a time: most of what is written is URLs
		// and prose.
		if i+4 <= len(s) && escapes[s[i]]|escapes[s[i+1]]|escapes[s[i+2]]|escapes[s[i+3]] == 0 {
			i += 4
			continue
		}
		c := s[i]
		e := escapes[c]
		if e == 0 {
			i++
			continue
		}
		if e != 'm' {
			dst = append(dst, s[run:i]...)
			if e == 'u' {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				dst = append(dst, '\\', e)
			}
			i++
			run = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[run:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[run:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		run = i
	}
	dst = append(dst, s[run:]...)
	return append(dst, '"')
}

// AppendFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form only below 1e-6 or from
// 1e21 on (with at least one exponent digit). ok is false for NaN and
// infinities, which JSON cannot hold.
func AppendFloat(dst []byte, f float64) (_ []byte, ok bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.AppendFloat(dst, f, 'f', -1, 64), true
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
	// strconv writes two exponent digits at least ("1e-07"); JSON
	// needs one.
	if n := len(dst) - start; n >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
		dst[len(dst)-2] = dst[len(dst)-1]
		dst = dst[:len(dst)-1]
	}
	return dst, true
}

// AppendTime appends t as time.Time's MarshalJSON does: RFC 3339 with
// nanoseconds as needed, quoted. ok is false where MarshalJSON fails: a
// year outside 0–9999 or a zone offset of a day or more.
func AppendTime(dst []byte, t time.Time) (_ []byte, ok bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return dst, false
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return dst, false
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), true
}

// AppendInt appends n in decimal.
func AppendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// AppendStrings appends ss as a JSON array of strings ("null" when nil).
func AppendStrings(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, s)
	}
	return append(dst, ']')
}

// AppendStringMap appends m as a JSON object with its keys in increasing
// order ("null" when nil), as encoding/json writes a map[string]string.
func AppendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		dst = AppendString(dst, m[k])
	}
	return append(dst, '}')
}

// Writer appends JSON objects to Buf member by member, each as Marshal
// writes it; the first value that cannot be encoded (NaN, a year past
// 9999, a Marshal error) sets Failed, and the caller discards Buf.
type Writer struct {
	Buf    []byte
	Failed bool
}

// Raw appends s as it is ("{", "}", "[", "]", ",", "null").
func (w *Writer) Raw(s string) { w.Buf = append(w.Buf, s...) }

// Key appends a member's name, after a comma unless it is the object's
// first (Buf ends with the object's '{'); k must need no escaping.
func (w *Writer) Key(k string) {
	if w.Buf[len(w.Buf)-1] != '{' {
		w.Buf = append(w.Buf, ',')
	}
	w.Buf = append(w.Buf, '"')
	w.Buf = append(w.Buf, k...)
	w.Buf = append(w.Buf, '"', ':')
}

// Str appends a string member.
func (w *Writer) Str(k, v string) {
	w.Key(k)
	w.Buf = AppendString(w.Buf, v)
}

// StrOmit appends a string member unless v is empty (omitempty).
func (w *Writer) StrOmit(k, v string) {
	if v != "" {
		w.Str(k, v)
	}
}

// Float appends a number member.
func (w *Writer) Float(k string, v float64) {
	w.Key(k)
	var ok bool
	if w.Buf, ok = AppendFloat(w.Buf, v); !ok {
		w.Failed = true
	}
}

// Int appends an integer member.
func (w *Writer) Int(k string, v int) {
	w.Key(k)
	w.Buf = AppendInt(w.Buf, int64(v))
}

// Time appends a time member; omitZero leaves a zero time out
// (omitzero).
func (w *Writer) Time(k string, t time.Time, omitZero bool) {
	if omitZero && t.IsZero() {
		return
	}
	w.Key(k)
	var ok bool
	if w.Buf, ok = AppendTime(w.Buf, t); !ok {
		w.Failed = true
	}
}

// Strings appends a member holding an array of strings.
func (w *Writer) Strings(k string, v []string) {
	w.Key(k)
	w.Buf = AppendStrings(w.Buf, v)
}

// Marshal appends a member encoded by encoding/json, for the rare parts
// of a type not worth writing by hand.
func (w *Writer) Marshal(k string, v any) {
	w.Key(k)
	b, err := json.Marshal(v)
	if err != nil {
		w.Failed = true
		return
	}
	w.Buf = append(w.Buf, b...)
}

// Array appends a member holding s, each element written by elem: null
// for a nil slice, as Marshal writes one (a member with omitempty is the
// caller's to leave out).
func Array[T any](w *Writer, k string, s []T, elem func(*Writer, *T)) {
	w.Key(k)
	if s == nil {
		w.Raw("null")
		return
	}
	w.Raw("[")
	for i := range s {
		if i > 0 {
			w.Raw(",")
		}
		elem(w, &s[i])
	}
	w.Raw("]")
}
