package report

import "github.com/vigilsec/vigil/internal/model"

// bestCVSS picks the vector to show: the newest CVSS version, and among
// vectors of one version the highest score. nil when there is none.
func bestCVSS(cs []model.CVSS) *model.CVSS {
	var best *model.CVSS
	for i := range cs {
		c := &cs[i]
		if best == nil || c.Version > best.Version || (c.Version == best.Version && c.BaseScore > best.BaseScore) {
			best = c
		}
	}
	return best
}

// severityScore is a number for a severity when no CVSS score exists, the
// middle of the band (used by SARIF's security-severity).
func severityScore(f *Finding) float64 {
	if c := bestCVSS(f.Vulnerability.CVSS); c != nil && c.BaseScore > 0 {
		return c.BaseScore
	}
	switch f.Severity {
	case model.SeverityCritical:
		return 9.5
	case model.SeverityHigh:
		return 8.0
	case model.SeverityMedium:
		return 5.5
	case model.SeverityLow:
		return 2.0
	}
	return 0
}
