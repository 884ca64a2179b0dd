package nvd

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// Bounds on untrusted input.
const (
	// MaxFileSize is the largest response accepted, in bytes (a full page
	// of 2,000 CVEs is some tens of MiB).
	MaxFileSize = 512 << 20
	// MaxCVEs is the most CVEs one response may hold.
	MaxCVEs = 100_000
	// maxPerCVE bounds the metrics and weaknesses read per CVE.
	maxPerCVE = 1_000
)

// Parse reads one NVD CVE API 2.0 response and returns its CVEs in order.
func Parse(r io.Reader) ([]CVE, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &ParseError{Reason: "read failed", Err: err}
	}
	if len(data) > MaxFileSize {
		return nil, &ParseError{Reason: fmt.Sprintf("response larger than %d bytes", MaxFileSize)}
	}
	var resp response
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &resp); err != nil {
		return nil, &ParseError{Reason: "not NVD JSON", Err: err}
	}
	if resp.Format != "" && resp.Format != "NVD_CVE" {
		return nil, &ParseError{Reason: "format is " + quote(resp.Format) + ", want NVD_CVE"}
	}
	if resp.Vulnerabilities == nil {
		return nil, &ParseError{Reason: "no vulnerabilities list"}
	}
	vulns := *resp.Vulnerabilities
	if len(vulns) > MaxCVEs {
		return nil, &ParseError{Reason: fmt.Sprintf("more than %d CVEs", MaxCVEs)}
	}
	out := make([]CVE, 0, len(vulns))
	for i := range vulns {
		c, err := convert(&vulns[i].CVE)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func convert(raw *rawCVE) (CVE, *ParseError) {
	if !validCVE(raw.ID) {
		return CVE{}, &ParseError{Reason: "id " + quote(raw.ID) + " is not CVE-YYYY-NNNN"}
	}
	c := CVE{ID: raw.ID}
	var err error
	if c.Published, err = parseTime(raw.Published); err != nil {
		return CVE{}, &ParseError{CVE: raw.ID, Reason: "bad published time " + quote(raw.Published), Err: err}
	}
	if c.LastModified, err = parseTime(raw.LastModified); err != nil {
		return CVE{}, &ParseError{CVE: raw.ID, Reason: "bad lastModified time " + quote(raw.LastModified), Err: err}
	}
	for _, mv := range metricVersions {
		metrics := raw.Metrics[mv.key]
		if len(c.CVSS)+len(metrics) > maxPerCVE {
			return CVE{}, &ParseError{CVE: raw.ID, Reason: "too many metrics"}
		}
		start := len(c.CVSS)
		for _, m := range metrics {
			v, perr := metric(m, mv.key, mv.version)
			if perr != nil {
				perr.CVE = raw.ID
				return CVE{}, perr
			}
			c.CVSS = append(c.CVSS, v)
		}
		// Primary before Secondary, keeping NVD's order otherwise.
		slices.SortStableFunc(c.CVSS[start:], func(a, b model.CVSS) int {
			return cmp.Compare(secondaryRank(a.Source), secondaryRank(b.Source))
		})
	}
	cwes, perr := weaknesses(raw.Weaknesses)
	if perr != nil {
		perr.CVE = raw.ID
		return CVE{}, perr
	}
	c.CWEs = cwes
	return c, nil
}

func metric(m rawMetric, key, version string) (model.CVSS, *ParseError) {
	d := m.CVSSData
	switch {
	case d == nil:
		return model.CVSS{}, &ParseError{Reason: key + " metric has no cvssData"}
	case d.Version != version:
		return model.CVSS{}, &ParseError{Reason: fmt.Sprintf("%s metric has version %s", key, quote(d.Version))}
	case d.VectorString == "" || len(d.VectorString) > 512:
		return model.CVSS{}, &ParseError{Reason: key + " metric has no usable vectorString"}
	case d.BaseScore == nil || *d.BaseScore < 0 || *d.BaseScore > 10:
		return model.CVSS{}, &ParseError{Reason: key + " metric has no baseScore in [0, 10]"}
	}
	source := strings.ToValidUTF8(m.Source, "?")
	if m.Type != "" {
		source += " (" + strings.ToValidUTF8(m.Type, "?") + ")"
	}
	return model.CVSS{Version: version, Vector: d.VectorString, BaseScore: *d.BaseScore, Source: source}, nil
}

// secondaryRank orders Primary metrics before the others.
func secondaryRank(source string) int {
	if strings.HasSuffix(source, " (Primary)") {
		return 0
	}
	return 1
}

// weaknesses returns the CWE ids named, deduplicated and sorted by number.
func weaknesses(ws []rawWeakness) ([]string, *ParseError) {
	var out []string
	n := 0
	for _, w := range ws {
		for _, d := range w.Description {
			if n++; n > maxPerCVE {
				return nil, &ParseError{Reason: "too many weaknesses"}
			}
			if cweNumber(d.Value) >= 0 && !slices.Contains(out, d.Value) {
				out = append(out, d.Value)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(cweNumber(a), cweNumber(b)) })
	return out, nil
}

// cweNumber returns the number of a "CWE-N" id, or -1.
func cweNumber(s string) int {
	num, ok := strings.CutPrefix(s, "CWE-")
	if !ok || len(num) == 0 || len(num) > 9 || num[0] == '+' || num[0] == '-' {
		return -1
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return -1
	}
	return n
}

// parseTime reads NVD's zone-less "2024-03-29T17:15:21.150" as UTC, and
// also RFC 3339 times.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err == nil {
		return t, nil
	}
	if t, err2 := time.Parse(time.RFC3339Nano, s); err2 == nil {
		return t.UTC(), nil
	}
	return time.Time{}, err
}

func validCVE(s string) bool {
	rest, ok := strings.CutPrefix(s, "CVE-")
	if !ok || len(rest) < 9 || len(rest) > 24 || rest[4] != '-' {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if i != 4 && (rest[i] < '0' || rest[i] > '9') {
			return false
		}
	}
	return true
}

// quote renders untrusted text for an error message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}
