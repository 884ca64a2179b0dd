package epss

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
)

// readComment reads "model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000".
func (s *Scores) readComment(c string) *ParseError {
	for part := range strings.SplitSeq(c, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), ":")
		switch key {
		case "model_version":
			s.ModelVersion = strings.ToValidUTF8(value, "?")
		case "score_date":
			t, err := parseScoreDate(value)
			if err != nil {
				return &ParseError{Reason: "score_date " + quote(value) + " is not a date", Err: err}
			}
			s.Date = t.Format(time.DateOnly)
		}
	}
	return nil
}

// parseScoreDate reads "2025-02-20T00:00:00+0000", RFC 3339 or a bare date.
func parseScoreDate(v string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339, time.DateOnly} {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// parseRow reads "CVE-1999-0001,0.00383,0.73075". It returns a reason
// when the row is malformed.
func parseRow(line []byte) (cve []byte, score, pct float64, reason string) {
	i := bytes.IndexByte(line, ',')
	if i < 0 {
		return nil, 0, 0, "row has fewer than 3 fields"
	}
	j := bytes.IndexByte(line[i+1:], ',')
	if j < 0 {
		return nil, 0, 0, "row has fewer than 3 fields"
	}
	j += i + 1
	cve, a, b := line[:i], line[i+1:j], line[j+1:]
	if bytes.IndexByte(b, ',') >= 0 {
		return nil, 0, 0, "row has more than 3 fields"
	}
	if !validCVE(cve) {
		return nil, 0, 0, "cve " + quote(string(cve)) + " is not CVE-YYYY-NNNN"
	}
	var ok bool
	if score, ok = probability(a); !ok {
		return nil, 0, 0, "epss " + quote(string(a)) + " is not a number in [0, 1]"
	}
	if pct, ok = probability(b); !ok {
		return nil, 0, 0, "percentile " + quote(string(b)) + " is not a number in [0, 1]"
	}
	return cve, score, pct, ""
}

func validCVE(b []byte) bool {
	if len(b) < 13 || len(b) > 32 || string(b[:4]) != "CVE-" || b[8] != '-' {
		return false
	}
	for k, c := range b[4:] {
		if k != 4 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// pow10 holds the exactly representable powers of ten.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// probability parses a number in [0, 1]. Plain decimals ("0.00383") take a
// fast path whose result equals strconv.ParseFloat's: the digits form an
// integer below 2^53 and the power of ten is exact, so the one division is
// correctly rounded. Anything else goes to strconv.
func probability(b []byte) (float64, bool) {
	var (
		mant   uint64
		digits int
		frac   = -1
	)
	for k, c := range b {
		switch {
		case c >= '0' && c <= '9' && digits < 15:
			mant = mant*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0 && k > 0:
			frac = 0
			continue
		default:
			return slowProbability(b)
		}
		if frac >= 0 {
			frac++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if frac < 0 {
		frac = 0
	}
	v := float64(mant) / pow10[frac]
	return v, v <= 1
}

func slowProbability(b []byte) (float64, bool) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
		return 0, false
	}
	return v, true
}
