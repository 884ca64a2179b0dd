package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/suppress"
)

// SchemaVersion is the version of the JSON report format. It follows
// semantic versioning: additive changes bump the minor version.
const SchemaVersion = "1.0.0"

// Report is the result of scanning one target.
type Report struct {
	SchemaVersion string           `json:"schemaVersion"`
	Generator     Generator        `json:"generator"`
	GeneratedAt   time.Time        `json:"generatedAt"`
	Target        model.Target     `json:"target"`
	OS            *model.OS        `json:"os"`
	Layers        []model.Layer    `json:"layers,omitempty"`
	DBSnapshot    string           `json:"dbSnapshot"`
	Partial       bool             `json:"partial"`
	Issues        []model.Issue    `json:"issues,omitempty"`
	Packages      int              `json:"packages"`
	Findings      []Finding        `json:"findings"`
	Suppressed    []Finding        `json:"suppressed"`
	Warnings      []Warning        `json:"warnings,omitempty"`
	Summary       Summary          `json:"summary"`
	Inventory     *model.Inventory `json:"-"`
}

// Generator names the program that wrote the report.
type Generator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Warning is a non-fatal message for the user (a stale database, an
// expired ignore entry).
type Warning struct {
	Source  string `json:"source"`
	Message string `json:"message"`
}

// Finding is one vulnerability on one package.
type Finding struct {
	Type          model.FindingType `json:"type"`
	Severity      model.Severity    `json:"severity"`
	Title         string            `json:"title"`
	Vulnerability Vulnerability     `json:"vulnerability"`
	Package       Package           `json:"package"`
	// FixedIn is null when no fixed version exists.
	FixedIn     *string            `json:"fixedIn"`
	FixState    model.FixState     `json:"fixState"`
	Remediation string             `json:"remediation"`
	Suppression *suppress.Decision `json:"suppression,omitempty"`
	Explanation []model.Evidence   `json:"explanation,omitempty"`
}

// Vulnerability is the advisory part of a finding.
type Vulnerability struct {
	ID             string       `json:"id"`
	Aliases        []string     `json:"aliases"`
	Summary        string       `json:"summary,omitempty"`
	Description    string       `json:"description,omitempty"`
	SeveritySource string       `json:"severitySource"`
	VendorSeverity string       `json:"vendorSeverity,omitempty"`
	CVSS           []model.CVSS `json:"cvss"`
	EPSS           *model.EPSS  `json:"epss"`
	KEV            *model.KEV   `json:"kev"`
	CWEs           []string     `json:"cwes,omitempty"`
	References     []string     `json:"references,omitempty"`
	Published      *time.Time   `json:"published,omitempty"`
	Modified       *time.Time   `json:"modified,omitempty"`
}

// Package is the affected-package part of a finding.
type Package struct {
	Ecosystem      model.Ecosystem      `json:"ecosystem"`
	Name           string               `json:"name"`
	Version        string               `json:"version"`
	PURL           string               `json:"purl"`
	Path           string               `json:"path"`
	Layer          string               `json:"layer,omitempty"`
	SourceName     string               `json:"sourceName,omitempty"`
	SourceVersion  string               `json:"sourceVersion,omitempty"`
	PackageManager model.PackageManager `json:"packageManager,omitempty"`
}

// Summary counts findings by severity; suppressed findings are counted
// apart.
type Summary struct {
	Total      int                    `json:"total"`
	BySeverity map[model.Severity]int `json:"bySeverity"`
	Fixable    int                    `json:"fixable"`
	Suppressed int                    `json:"suppressed"`
}

// Options control what Build keeps.
type Options struct {
	// Severities keeps only findings of these severities (all when empty).
	Severities []model.Severity
	// IgnoreUnfixed drops findings with no fixed version.
	IgnoreUnfixed bool
	// Explain keeps the evidence of every finding.
	Explain bool
	// Suppress decides suppressions; nil suppresses nothing.
	Suppress *suppress.Set
	// Now stamps the report.
	Now time.Time
	// Generator names the program.
	Generator Generator
	// DBSnapshot is the advisory snapshot matched against.
	DBSnapshot string
}

// Build assembles the report for one inventory and its matches.
func Build(inv *model.Inventory, matches []model.Match, opts Options) *Report {
	r := &Report{
		SchemaVersion: SchemaVersion,
		Generator:     opts.Generator,
		GeneratedAt:   opts.Now.UTC(),
		Target:        inv.Target,
		OS:            inv.OS,
		Layers:        inv.Layers,
		DBSnapshot:    opts.DBSnapshot,
		Partial:       inv.Partial,
		Issues:        inv.Issues,
		Packages:      len(inv.Packages),
		Findings:      []Finding{},
		Suppressed:    []Finding{},
		Inventory:     inv,
	}
	for _, w := range opts.Suppress.Warnings() {
		r.Warnings = append(r.Warnings, Warning{Source: w.Source, Message: w.Message})
	}
	for i := range matches {
		m := &matches[i]
		for j := range m.Vulnerabilities {
			v := &m.Vulnerabilities[j]
			if len(opts.Severities) > 0 && !slices.Contains(opts.Severities, v.Severity) {
				continue
			}
			if opts.IgnoreUnfixed && v.FixedIn == nil {
				continue
			}
			f := newFinding(&m.Package, v, opts.Explain)
			if d := opts.Suppress.Check(v, &m.Package, &inv.Target); d != nil {
				f.Suppression = d
				r.Suppressed = append(r.Suppressed, f)
				continue
			}
			r.Findings = append(r.Findings, f)
		}
	}
	sortFindings(r.Findings)
	sortFindings(r.Suppressed)
	r.Summary = summarize(r.Findings, len(r.Suppressed))
	return r
}

func newFinding(p *model.Package, v *model.Vulnerability, explain bool) Finding {
	f := Finding{
		Type:     model.FindingPackageVulnerability,
		Severity: v.Severity,
		Title:    v.ID + " - " + p.Name,
		Vulnerability: Vulnerability{
			ID: v.ID, Aliases: nonNil(v.Aliases), Summary: v.Summary, Description: v.Details,
			SeveritySource: v.SeveritySource, VendorSeverity: v.VendorSeverity,
			CVSS: nonNil(v.CVSS), EPSS: v.EPSS, KEV: v.KEV, CWEs: v.CWEs, References: v.References,
		},
		Package: Package{
			Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, PURL: p.PURL, Path: p.Path,
			Layer: p.Layer, SourceName: p.SourceName, SourceVersion: p.SourceVersion, PackageManager: p.Manager,
		},
		FixedIn:  v.FixedIn,
		FixState: v.FixState,
	}
	if f.FixState == "" {
		f.FixState = model.FixStateUnknown
	}
	if !v.Published.IsZero() {
		t := v.Published
		f.Vulnerability.Published = &t
	}
	if !v.Modified.IsZero() {
		t := v.Modified
		f.Vulnerability.Modified = &t
	}
	f.Remediation = Remediation(p, v)
	if explain {
		f.Explanation = v.Evidence
	}
	return f
}

// Remediation is the advice for one finding, in a sentence.
func Remediation(p *model.Package, v *model.Vulnerability) string {
	name := p.Name
	if p.SourceName != "" && p.SourceName != p.Name && p.Manager == model.ManagerOS {
		name = fmt.Sprintf("%s (source package %s)", p.Name, p.SourceName)
	}
	switch {
	case v.FixedIn != nil:
		return fmt.Sprintf("Upgrade %s from %s to %s or later.", name, p.Version, *v.FixedIn)
	case v.FixState == model.FixStateWontFix:
		return fmt.Sprintf("The vendor will not fix %s in %s; mitigate, or replace the package.", v.ID, name)
	default:
		return fmt.Sprintf("No fixed version of %s is known yet; watch the advisory and mitigate.", name)
	}
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
			cmp.Compare(a.Package.Name, b.Package.Name),
			cmp.Compare(a.Package.Version, b.Package.Version),
			cmp.Compare(a.Package.Path, b.Package.Path),
			cmp.Compare(a.Vulnerability.ID, b.Vulnerability.ID),
		)
	})
}

func summarize(fs []Finding, suppressed int) Summary {
	s := Summary{Total: len(fs), BySeverity: map[model.Severity]int{}, Suppressed: suppressed}
	for _, sev := range model.Severities {
		s.BySeverity[sev] = 0
	}
	for _, f := range fs {
		s.BySeverity[f.Severity]++
		if f.FixedIn != nil {
			s.Fixable++
		}
	}
	return s
}

// Gate reports whether any remaining finding is at or above sev.
func (r *Report) Gate(sev model.Severity) (int, bool) {
	n := 0
	for _, f := range r.Findings {
		if f.Severity.Rank() >= sev.Rank() {
			n++
		}
	}
	return n, n > 0
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
