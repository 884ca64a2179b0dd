package finding

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/model"
)

// maxDescription bounds a finding's description (Inspector's 1024).
const maxDescription = 1024

// ObservationsFromMatches turns the match results of an inventory into
// package-vulnerability observations, one per (vulnerability, package),
// in match order.
func ObservationsFromMatches(inv *model.Inventory, matches []model.Match) []model.Observation {
	n := 0
	for i := range matches {
		n += len(matches[i].Vulnerabilities)
	}
	out := make([]model.Observation, 0, n)
	for i := range matches {
		m := &matches[i]
		for j := range m.Vulnerabilities {
			v := &m.Vulnerabilities[j]
			out = append(out, model.Observation{
				Type:        model.FindingPackageVulnerability,
				CheckID:     v.ID,
				Title:       v.ID + " - " + m.Package.Name,
				Description: describe(v),
				Severity:    v.Severity,
				Remediation: remediation(inv, &m.Package, v),
				Package:     &model.PackageDetail{Vulnerability: *v, Package: m.Package},
			})
		}
	}
	return out
}

func describe(v *model.Vulnerability) string {
	d := v.Summary
	if d == "" {
		d = v.Details
	}
	if d == "" {
		d = v.ID
	}
	d = strings.Join(strings.Fields(d), " ")
	if len(d) > maxDescription {
		cut := maxDescription - len("…")
		for cut > 0 && !utf8.RuneStart(d[cut]) {
			cut--
		}
		d = d[:cut] + "…"
	}
	return d
}

func remediation(inv *model.Inventory, p *model.Package, v *model.Vulnerability) string {
	name := p.Name
	if inv != nil && inv.OS != nil && inv.OS.PrettyName != "" && p.SourceName != "" {
		name = p.Name + " (" + inv.OS.PrettyName + ")"
	}
	switch {
	case v.FixedIn != nil && *v.FixedIn != "":
		return fmt.Sprintf("Upgrade %s from %s to %s or later.", name, p.Version, *v.FixedIn)
	case v.FixState == model.FixStateWontFix:
		return fmt.Sprintf("No fix will be released for %s %s; remove the package or mitigate.", name, p.Version)
	}
	return fmt.Sprintf("No fixed version of %s is known yet; watch the advisory.", name)
}
