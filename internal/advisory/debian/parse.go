package debian

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// Bounds on untrusted input.
const (
	// MaxLineLength is the longest line accepted, in bytes. The longest
	// line of the real lists is about 2 KiB (a long CVE list).
	MaxLineLength = 64 << 10
	// MaxRecords is the most advisories one list may hold (the DSA list
	// had 5406 in 2023).
	MaxRecords = 200_000
	// MaxEntries is the most upstream ids plus version lines one advisory
	// may hold.
	MaxEntries = 10_000
	// MaxLines is the most lines, blank and NOTE lines included, a list
	// may have (the DSA list had about 18,000).
	MaxLines = 5_000_000
)

// Kinds of tracker lists ParseTrackerList reads.
const (
	KindDSA  = "DSA"
	KindDLA  = "DLA"
	KindDTSA = "DTSA"
)

// ParseTrackerList reads a Debian Security Tracker advisory list
// (data/DSA/list when kind is "DSA", data/DLA/list when kind is "DLA",
// data/DTSA/list when "DTSA") and returns one OSV record per advisory, in
// the order of the file. See the package documentation for the mapping.
// Errors are *ParseError.
func ParseTrackerList(r io.Reader, kind string) ([]*osv.Record, error) {
	switch kind {
	case KindDSA, KindDLA, KindDTSA:
	default:
		return nil, &ParseError{Reason: "unknown advisory kind " + quote(kind) + ", want DSA, DLA or DTSA"}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLength)
	var (
		recs []*osv.Record
		cur  *builder
		n    int
	)
	for sc.Scan() {
		n++
		if n > MaxLines {
			return nil, &ParseError{Line: n, Reason: "more than the allowed number of lines"}
		}
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			if strings.HasPrefix(line, "NOTE:") {
				continue
			}
			if cur != nil {
				recs = append(recs, cur.record())
			}
			if len(recs) >= MaxRecords {
				return nil, &ParseError{Line: n, Reason: "more than the allowed number of advisories"}
			}
			h, err := parseHeader(line, kind)
			if err != nil {
				err.Line = n
				return nil, err
			}
			cur = newBuilder(h)
			continue
		}
		if cur == nil {
			return nil, &ParseError{Line: n, Reason: "indented line before the first advisory"}
		}
		if err := cur.add(strings.TrimSpace(line)); err != nil {
			err.Line = n
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ParseError{Line: n + 1, Reason: "line longer than the allowed length", Err: err}
		}
		return nil, &ParseError{Line: n, Reason: "read failed", Err: err}
	}
	if cur != nil {
		recs = append(recs, cur.record())
	}
	return recs, nil
}

// quote renders untrusted text for an error message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}
