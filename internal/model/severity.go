package model

// Severity is a finding's severity, in Inspector's vocabulary.
type Severity string

// Severities, from most to least severe. UNTRIAGED means nothing rates the
// vulnerability yet; NONE is a CVSS score of 0 (Inspector's INFORMATIONAL).
const (
	SeverityCritical  Severity = "CRITICAL"
	SeverityHigh      Severity = "HIGH"
	SeverityMedium    Severity = "MEDIUM"
	SeverityLow       Severity = "LOW"
	SeverityNone      Severity = "NONE"
	SeverityUntriaged Severity = "UNTRIAGED"
)

// Severities lists every severity, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityNone, SeverityUntriaged}

// Rank orders severities: CRITICAL 5, HIGH 4, MEDIUM 3, LOW 2, NONE 1,
// UNTRIAGED 0, and -1 for an unknown string. Gates compare ranks.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 5
	case SeverityHigh:
		return 4
	case SeverityMedium:
		return 3
	case SeverityLow:
		return 2
	case SeverityNone:
		return 1
	case SeverityUntriaged:
		return 0
	}
	return -1
}

// SeverityFromScore maps a CVSS base score to its band: 0 NONE, 0.1–3.9
// LOW, 4–6.9 MEDIUM, 7–8.9 HIGH, 9–10 CRITICAL.
func SeverityFromScore(score float64) Severity {
	switch {
	case score >= 9.0:
		return SeverityCritical
	case score >= 7.0:
		return SeverityHigh
	case score >= 4.0:
		return SeverityMedium
	case score > 0:
		return SeverityLow
	}
	return SeverityNone
}
