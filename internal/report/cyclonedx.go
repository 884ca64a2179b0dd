package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/suppress"
)

// CycloneDXBOM builds a CycloneDX 1.6 BOM of an inventory: the target as
// metadata component, the OS as an operating-system component, and every
// package as a library component with its purl, file path and layer as
// properties. It returns the BOM and each package's bom-ref, indexed like
// inv.Packages.
func CycloneDXBOM(inv *model.Inventory, gen Generator, now time.Time) (*cdx.BOM, []string) {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = "urn:uuid:" + uuidFrom(inv.Target.Kind, inv.Target.Name, inv.Target.Digest, now.String())
	mainType := cdx.ComponentTypeApplication
	if inv.Target.Kind == model.TargetImage {
		mainType = cdx.ComponentTypeContainer
	}
	main := &cdx.Component{BOMRef: "target", Type: mainType, Name: inv.Target.Name, Version: inv.Target.Digest}
	bom.Metadata = &cdx.Metadata{
		Timestamp: now.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication,
			Name: gen.Name, Version: gen.Version}}},
		Component: main,
	}
	var comps []cdx.Component
	if inv.OS != nil && inv.OS.ID != "" {
		comps = append(comps, cdx.Component{BOMRef: "os", Type: cdx.ComponentTypeOS, Name: inv.OS.ID,
			Version: inv.OS.VersionID, Description: inv.OS.PrettyName})
	}
	refs := make([]string, len(inv.Packages))
	seen := map[string]int{}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		ref := p.PURL
		if ref == "" {
			ref = string(p.Ecosystem) + "/" + p.Name + "@" + p.Version
		}
		base := ref
		if n := seen[base]; n > 0 {
			ref = fmt.Sprintf("%s#%d", base, n)
		}
		seen[base]++
		refs[i] = ref
		props := []cdx.Property{{Name: "vigil:package:ecosystem", Value: string(p.Ecosystem)}}
		if p.Path != "" {
			props = append(props, cdx.Property{Name: "vigil:package:path", Value: p.Path})
		}
		if p.Layer != "" {
			props = append(props, cdx.Property{Name: "vigil:package:layer", Value: p.Layer})
		}
		if p.Manager != "" {
			props = append(props, cdx.Property{Name: "vigil:package:manager", Value: string(p.Manager)})
		}
		if p.SourceName != "" {
			props = append(props, cdx.Property{Name: "vigil:package:source-name", Value: p.SourceName})
			props = append(props, cdx.Property{Name: "vigil:package:source-version", Value: p.SourceVersion})
		}
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version,
			PackageURL: p.PURL, Properties: &props}
		if len(p.Licenses) > 0 {
			ls := cdx.Licenses{}
			for _, l := range p.Licenses {
				ls = append(ls, cdx.LicenseChoice{Expression: l})
			}
			c.Licenses = &ls
		}
		if p.Path != "" {
			c.Evidence = &cdx.Evidence{Occurrences: &[]cdx.EvidenceOccurrence{{Location: p.Path}}}
		}
		comps = append(comps, c)
	}
	bom.Components = &comps
	return bom, refs
}

// WriteCycloneDX writes a CycloneDX 1.6 JSON BOM with vulnerabilities (a
// vulnerability disclosure report): every package as a component and every
// finding as a vulnerability affecting it. Suppressed findings are kept
// with a VEX analysis (not_affected, resolved, or in_triage for ignore-file
// entries), so the document doubles as a VEX. Several targets are written
// as one BOM whose components are grouped under each target.
func WriteCycloneDX(w io.Writer, reports []*Report) error {
	if len(reports) == 0 {
		return fmt.Errorf("no report to write")
	}
	var bom *cdx.BOM
	for i, r := range reports {
		inv := r.Inventory
		if inv == nil {
			inv = &model.Inventory{Target: r.Target, OS: r.OS}
		}
		b, refs := CycloneDXBOM(inv, r.Generator, r.GeneratedAt)
		vulns := cdxVulns(r, inv, refs)
		if len(reports) == 1 {
			bom = b
			bom.Vulnerabilities = &vulns
			break
		}
		if i == 0 {
			bom = cdx.NewBOM()
			bom.SpecVersion = cdx.SpecVersion1_6
			bom.Metadata = &cdx.Metadata{Timestamp: r.GeneratedAt.UTC().Format(time.RFC3339), Tools: b.Metadata.Tools}
			bom.Components = &[]cdx.Component{}
			bom.Vulnerabilities = &[]cdx.Vulnerability{}
		}
		prefix := fmt.Sprintf("t%d/", i)
		group := *b.Metadata.Component
		group.BOMRef = prefix + "target"
		sub := *b.Components
		for j := range sub {
			sub[j].BOMRef = prefix + sub[j].BOMRef
		}
		group.Components = &sub
		*bom.Components = append(*bom.Components, group)
		for _, v := range vulns {
			v.BOMRef = prefix + v.BOMRef
			for k := range *v.Affects {
				(*v.Affects)[k].Ref = prefix + (*v.Affects)[k].Ref
			}
			*bom.Vulnerabilities = append(*bom.Vulnerabilities, v)
		}
	}
	return encodeCycloneDX(w, bom)
}

func encodeCycloneDX(w io.Writer, bom *cdx.BOM) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func cdxVulns(r *Report, inv *model.Inventory, refs []string) []cdx.Vulnerability {
	refOf := map[string]string{}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		refOf[p.Key()] = refs[i]
	}
	all := append(append([]Finding{}, r.Findings...), r.Suppressed...)
	out := []cdx.Vulnerability{}
	for i := range all {
		f := &all[i]
		key := (&model.Package{Ecosystem: f.Package.Ecosystem, Name: f.Package.Name, Version: f.Package.Version, Path: f.Package.Path}).Key()
		ref, ok := refOf[key]
		if !ok {
			ref = f.Package.PURL
		}
		v := cdx.Vulnerability{
			BOMRef:         fmt.Sprintf("%s/%s", f.Vulnerability.ID, ref),
			ID:             f.Vulnerability.ID,
			Source:         cdxSource(f.Vulnerability.ID),
			Description:    f.Vulnerability.Summary,
			Detail:         f.Vulnerability.Description,
			Recommendation: f.Remediation,
			Affects:        &[]cdx.Affects{{Ref: ref, Range: &[]cdx.AffectedVersions{{Version: f.Package.Version, Status: cdx.VulnerabilityStatusAffected}}}},
		}
		if len(f.Vulnerability.Aliases) > 0 {
			rs := make([]cdx.VulnerabilityReference, 0, len(f.Vulnerability.Aliases))
			for _, a := range f.Vulnerability.Aliases {
				rs = append(rs, cdx.VulnerabilityReference{ID: a, Source: cdxSource(a)})
			}
			v.References = &rs
		}
		v.Ratings = cdxRatings(f)
		if cwes := cweNumbers(f.Vulnerability.CWEs); len(cwes) > 0 {
			v.CWEs = &cwes
		}
		if len(f.Vulnerability.References) > 0 {
			adv := make([]cdx.Advisory, 0, len(f.Vulnerability.References))
			for _, u := range f.Vulnerability.References {
				adv = append(adv, cdx.Advisory{URL: u})
			}
			v.Advisories = &adv
		}
		if f.Vulnerability.Published != nil {
			v.Published = f.Vulnerability.Published.UTC().Format(time.RFC3339)
		}
		if f.Vulnerability.Modified != nil {
			v.Updated = f.Vulnerability.Modified.UTC().Format(time.RFC3339)
		}
		if f.Suppression != nil {
			v.Analysis = cdxAnalysis(f.Suppression)
		}
		props := []cdx.Property{{Name: "vigil:fix-state", Value: string(f.FixState)}}
		if f.FixedIn != nil {
			props = append(props, cdx.Property{Name: "vigil:fixed-in", Value: *f.FixedIn})
		}
		if e := f.Vulnerability.EPSS; e != nil {
			props = append(props, cdx.Property{Name: "vigil:epss:score", Value: fmt.Sprintf("%g", e.Score)},
				cdx.Property{Name: "vigil:epss:percentile", Value: fmt.Sprintf("%g", e.Percentile)})
		}
		if k := f.Vulnerability.KEV; k != nil {
			props = append(props, cdx.Property{Name: "vigil:kev:date-added", Value: k.DateAdded})
			if k.DueDate != "" {
				props = append(props, cdx.Property{Name: "vigil:kev:due-date", Value: k.DueDate})
			}
		}
		v.Properties = &props
		out = append(out, v)
	}
	return out
}

func cdxRatings(f *Finding) *[]cdx.VulnerabilityRating {
	var rs []cdx.VulnerabilityRating
	for _, c := range f.Vulnerability.CVSS {
		score := c.BaseScore
		r := cdx.VulnerabilityRating{Score: &score, Vector: c.Vector, Severity: cdxSeverity(model.SeverityFromScore(c.BaseScore))}
		switch {
		case c.Version == "2.0":
			r.Method = cdx.ScoringMethodCVSSv2
		case c.Version == "3.0":
			r.Method = cdx.ScoringMethodCVSSv3
		case strings.HasPrefix(c.Version, "3."):
			r.Method = cdx.ScoringMethodCVSSv31
		case strings.HasPrefix(c.Version, "4"):
			r.Method = cdx.ScoringMethodCVSSv4
		default:
			r.Method = cdx.ScoringMethodOther
		}
		if c.Source != "" {
			r.Source = &cdx.Source{Name: c.Source}
		}
		rs = append(rs, r)
	}
	if f.Vulnerability.SeveritySource != "" && f.Vulnerability.VendorSeverity != "" {
		rs = append(rs, cdx.VulnerabilityRating{Source: &cdx.Source{Name: f.Vulnerability.SeveritySource},
			Severity: cdxSeverity(f.Severity), Method: cdx.ScoringMethodOther,
			Justification: "vendor rating: " + f.Vulnerability.VendorSeverity})
	}
	if len(rs) == 0 {
		rs = append(rs, cdx.VulnerabilityRating{Severity: cdxSeverity(f.Severity), Method: cdx.ScoringMethodOther})
	}
	return &rs
}

func cdxSeverity(s model.Severity) cdx.Severity {
	switch s {
	case model.SeverityCritical:
		return cdx.SeverityCritical
	case model.SeverityHigh:
		return cdx.SeverityHigh
	case model.SeverityMedium:
		return cdx.SeverityMedium
	case model.SeverityLow:
		return cdx.SeverityLow
	case model.SeverityNone:
		return cdx.SeverityNone
	}
	return cdx.SeverityUnknown
}

func cdxAnalysis(d *suppress.Decision) *cdx.VulnerabilityAnalysis {
	a := &cdx.VulnerabilityAnalysis{Detail: d.Reason}
	switch {
	case d.Kind == suppress.KindVEX && d.Status == "fixed":
		a.State = cdx.IASResolved
	case d.Kind == suppress.KindVEX:
		a.State = cdx.IASNotAffected
		a.Justification = vexJustification(d.Justification)
	default:
		a.State = cdx.IASInTriage
		a.Detail = fmt.Sprintf("suppressed by %s until %s: %s", d.Source, d.Expires, d.Reason)
	}
	return a
}

// vexJustification maps OpenVEX justifications to CycloneDX's.
func vexJustification(j string) cdx.ImpactAnalysisJustification {
	switch j {
	case "component_not_present", "vulnerable_code_not_present":
		return cdx.IAJCodeNotPresent
	case "vulnerable_code_not_in_execute_path":
		return cdx.IAJCodeNotReachable
	case "vulnerable_code_cannot_be_controlled_by_adversary":
		return cdx.IAJRequiresEnvironment
	case "inline_mitigations_already_exist":
		return cdx.IAJProtectedByMitigatingControl
	}
	return ""
}

func cdxSource(id string) *cdx.Source {
	switch {
	case strings.HasPrefix(id, "CVE-"):
		return &cdx.Source{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + id}
	case strings.HasPrefix(id, "GHSA-"):
		return &cdx.Source{Name: "GitHub", URL: "https://github.com/advisories/" + id}
	}
	return &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + id}
}

func cweNumbers(cwes []string) []int {
	var out []int
	for _, c := range cwes {
		var n int
		if _, err := fmt.Sscanf(strings.TrimPrefix(strings.ToUpper(c), "CWE-"), "%d", &n); err == nil && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
