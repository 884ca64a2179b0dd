package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// SARIF 2.1.0 types: only the parts vigil writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool        `json:"tool"`
	Results    []sarifResult    `json:"results"`
	Properties map[string]any   `json:"properties,omitempty"`
	Automation *sarifAutomation `json:"automationDetails,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Help             sarifText      `json:"help"`
	Properties       map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

const sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// WriteSARIF writes SARIF 2.1.0, one run per target. Rules are
// vulnerabilities; results are (vulnerability, package) pairs located at
// the file the package was read from. security-severity carries the CVSS
// score so code-scanning UIs rank them.
func WriteSARIF(w io.Writer, reports []*Report) error {
	log := sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{}}
	for _, r := range reports {
		log.Runs = append(log.Runs, sarifRunFor(r))
	}
	return encodeIndented(w, log)
}

func sarifRunFor(r *Report) sarifRun {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "vigil", Version: r.Generator.Version,
			InformationURI: "https://github.com/vigilsec/vigil", Rules: []sarifRule{}}},
		Results:    []sarifResult{},
		Automation: &sarifAutomation{ID: string(r.Target.Kind) + "/" + r.Target.Name},
		Properties: map[string]any{"dbSnapshot": r.DBSnapshot, "target": r.Target.Name},
	}
	ruleIndex := map[string]int{}
	for i := range r.Findings {
		f := &r.Findings[i]
		id := f.Vulnerability.ID
		idx, ok := ruleIndex[id]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[id] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(f))
		}
		uri := strings.TrimPrefix(f.Package.Path, "/")
		if uri == "" {
			uri = r.Target.Name
		}
		uri = sarifURI(uri)
		fixed := "no fixed version is known"
		if f.FixedIn != nil {
			fixed = "fixed in " + *f.FixedIn
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    id,
			RuleIndex: idx,
			Level:     sarifLevel(f.Severity),
			Message: sarifText{Text: fmt.Sprintf("%s %s (%s) is affected by %s, severity %s; %s.",
				f.Package.Name, f.Package.Version, f.Package.Ecosystem, id, f.Severity, fixed)},
			Locations:           []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}},
			PartialFingerprints: map[string]string{"vigilFinding/v1": fingerprint(r, f)},
			Properties:          map[string]any{"purl": f.Package.PURL, "layer": f.Package.Layer},
		})
	}
	return run
}

func sarifRuleFor(f *Finding) sarifRule {
	short := f.Vulnerability.Summary
	if short == "" {
		short = f.Vulnerability.ID + " in " + f.Package.Name
	}
	full := f.Vulnerability.Description
	if full == "" {
		full = short
	}
	help := "Remediation: " + f.Remediation
	rule := sarifRule{
		ID:               f.Vulnerability.ID,
		Name:             "Vulnerability",
		ShortDescription: sarifText{Text: oneLine(short, 1000)},
		FullDescription:  sarifText{Text: full},
		Help:             sarifText{Text: help, Markdown: "**Remediation**: " + f.Remediation},
		Properties: map[string]any{
			"security-severity": fmt.Sprintf("%.1f", severityScore(f)),
			"tags":              []string{"security", "vulnerability", strings.ToLower(string(f.Severity))},
			"aliases":           f.Vulnerability.Aliases,
		},
	}
	if len(f.Vulnerability.References) > 0 {
		rule.HelpURI = f.Vulnerability.References[0]
	}
	return rule
}

// sarifURI turns a path into the URI reference artifactLocation.uri must
// hold: backslashes become slashes, characters a URI cannot carry (spaces,
// %, ...) are percent-encoded, a first segment with a colon gets "./" so
// it is not read as a scheme, and a Windows drive path becomes a file URI.
func sarifURI(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z') {
		return (&url.URL{Scheme: "file", Path: "/" + p}).String()
	}
	return (&url.URL{Path: p}).String()
}

func sarifLevel(s model.Severity) string {
	switch s {
	case model.SeverityCritical, model.SeverityHigh:
		return "error"
	case model.SeverityMedium:
		return "warning"
	}
	return "note"
}

// fingerprint identifies a finding stably across scans of the same target.
func fingerprint(r *Report, f *Finding) string {
	h := sha256.Sum256([]byte(strings.Join([]string{string(r.Target.Kind), r.Target.Name,
		f.Vulnerability.ID, string(f.Package.Ecosystem), f.Package.Name, f.Package.Version, f.Package.Path}, "\x00")))
	return hex.EncodeToString(h[:16])
}
