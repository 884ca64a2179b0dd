package match

import (
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/vigilsec/vigil/internal/model"
)

// Severity sources named in Vulnerability.SeveritySource.
const (
	SourceVendorPrefix = "vendor:" // followed by the distribution ("vendor:Ubuntu")
	SourceOSVCVSS      = "cvss:osv"
	SourceNVDCVSS      = "cvss:nvd"
	SourceNone         = "none"
)

// scoreVector parses and scores one CVSS vector of the given OSV severity
// type. ok is false for a vector that does not parse.
func scoreVector(typ, vec string) (model.CVSS, bool) {
	c := model.CVSS{Vector: vec, Source: "osv"}
	switch {
	case typ == "CVSS_V2" || typ == "2.0":
		v, err := gocvss20.ParseVector(strings.TrimPrefix(vec, "CVSS:2.0/"))
		if err != nil {
			return c, false
		}
		c.Version, c.BaseScore = "2.0", v.BaseScore()
	case strings.HasPrefix(vec, "CVSS:3.1/"):
		v, err := gocvss31.ParseVector(vec)
		if err != nil {
			return c, false
		}
		c.Version, c.BaseScore = "3.1", v.BaseScore()
	case strings.HasPrefix(vec, "CVSS:3.0/"):
		v, err := gocvss30.ParseVector(vec)
		if err != nil {
			return c, false
		}
		c.Version, c.BaseScore = "3.0", v.BaseScore()
	case strings.HasPrefix(vec, "CVSS:4.0/"):
		v, err := gocvss40.ParseVector(vec)
		if err != nil {
			return c, false
		}
		c.Version, c.BaseScore = "4.0", v.Score()
	default:
		return c, false
	}
	return c, true
}

// scores scores a record's or entry's CVSS vectors once per distinct
// vector; a vector that does not parse becomes a build issue.
func (c *compiler) scores(id string, sevs []slimSeverity) []model.CVSS {
	var out []model.CVSS
	for _, s := range sevs {
		p, seen := c.cvss[s]
		if !seen {
			if sc, ok := scoreVector(s.Type, s.Score); ok {
				sc.Vector = c.str(sc.Vector)
				p = &sc
			} else {
				c.issue(id, "", "", "unparsable "+s.Type+" vector "+s.Score)
			}
			c.cvss[s] = p
		}
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// versionRank orders CVSS versions: 4.0 above 3.1 above 3.0 above 2.0.
func versionRank(v string) int {
	switch v {
	case "4.0":
		return 4
	case "3.1":
		return 3
	case "3.0":
		return 2
	case "2.0":
		return 1
	}
	return 0
}

// best picks the vector of the highest CVSS version (the highest score
// among vectors of that version). ok is false for an empty list.
func best(cs []model.CVSS) (model.CVSS, bool) {
	var b model.CVSS
	found := false
	for _, c := range cs {
		r, br := versionRank(c.Version), versionRank(b.Version)
		if !found || r > br || r == br && c.BaseScore > b.BaseScore {
			b, found = c, true
		}
	}
	return b, found
}

// vendorSeverity maps a distribution's rating word (Ubuntu priority,
// Debian urgency, Red Hat/AlmaLinux impact) to a severity; "" when the
// word does not rate (untriaged, not yet assigned, unknown).
func vendorSeverity(word string) model.Severity {
	w := strings.TrimSpace(strings.TrimRight(word, "* "))
	is := func(s string) bool { return strings.EqualFold(w, s) }
	switch {
	case w == "":
	case is("critical"):
		return model.SeverityCritical
	case is("high"), is("important"):
		return model.SeverityHigh
	case is("medium"), is("moderate"):
		return model.SeverityMedium
	case is("low"), is("negligible"), is("unimportant"):
		return model.SeverityLow
	}
	return ""
}
