package suppress

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// Kind says what suppressed a finding.
type Kind string

// Suppression kinds.
const (
	KindIgnoreFile Kind = "ignore-file"
	KindVEX        Kind = "vex"
)

// Decision explains why a finding is suppressed.
type Decision struct {
	Kind Kind `json:"kind"`
	// Source is the ignore file or VEX document that decided.
	Source string `json:"source"`
	// Rule is the vulnerability id written in the rule.
	Rule string `json:"rule"`
	// Reason is the ignore entry's reason, or the VEX impact statement or
	// status notes.
	Reason string `json:"reason,omitempty"`
	// Status and Justification come from VEX statements.
	Status        string `json:"status,omitempty"`
	Justification string `json:"justification,omitempty"`
	// Expires is set for ignore-file entries.
	Expires string `json:"expires,omitempty"`
}

// Warning is something the user should fix in their suppression sources
// (an expired ignore entry, say). Warnings never fail a scan.
type Warning struct {
	Source  string `json:"source"`
	Message string `json:"message"`
}

// VEXDoc is a loaded OpenVEX document and where it came from.
type VEXDoc struct {
	Source string
	Doc    *VEX
}

// LoadVEX reads an OpenVEX JSON document (or a CSAF document, as go-vex
// converts it).
func LoadVEX(name string) (*VEXDoc, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("VEX document %s: %w", name, err)
	}
	d, err := parseVEX(data)
	if err != nil {
		return nil, fmt.Errorf("VEX document %s: %w", name, err)
	}
	for i := range d.Statements {
		if err := d.Statements[i].Validate(); err != nil {
			return nil, fmt.Errorf("VEX document %s: statement %d: %w", name, i+1, err)
		}
	}
	return &VEXDoc{Source: name, Doc: d}, nil
}

// Set holds every suppression source of one scan.
type Set struct {
	ignores []*IgnoreFile
	vex     []*VEXDoc
	now     time.Time
}

// NewSet builds a suppression set evaluated at now.
func NewSet(now time.Time, ignores []*IgnoreFile, vexDocs []*VEXDoc) *Set {
	return &Set{ignores: ignores, vex: vexDocs, now: now}
}

// Warnings lists expired ignore entries: they no longer suppress anything.
func (s *Set) Warnings() []Warning {
	if s == nil {
		return nil
	}
	var out []Warning
	for _, f := range s.ignores {
		for _, e := range f.Entries {
			if !s.now.Before(e.Expires.end()) {
				out = append(out, Warning{Source: f.Source, Message: fmt.Sprintf(
					"ignore entry for %s expired on %s and no longer suppresses it (reason was: %s)",
					e.ID, e.Expires.Format("2006-01-02"), e.Reason)})
			}
		}
	}
	return out
}

// Check returns why a finding for vulnerability v on package p is
// suppressed, or nil. target identifies the scanned artifact (an image
// reference or digest) for VEX statements whose product is the image and
// whose subcomponent is the package.
func (s *Set) Check(v *model.Vulnerability, p *model.Package, target *model.Target) *Decision {
	if s == nil {
		return nil
	}
	ids := append([]string{v.ID}, v.Aliases...)
	for _, f := range s.ignores {
		for _, e := range f.Entries {
			if !s.now.Before(e.Expires.end()) {
				continue
			}
			if !slices.Contains(ids, e.ID) {
				continue
			}
			if e.PURL != "" && !PurlMatches(e.PURL, p.PURL) {
				continue
			}
			if e.Path != "" {
				if ok, _ := path.Match(e.Path, p.Path); !ok && e.Path != p.Path {
					continue
				}
			}
			return &Decision{Kind: KindIgnoreFile, Source: f.Source, Rule: e.ID, Reason: e.Reason,
				Expires: e.Expires.Format("2006-01-02")}
		}
	}
	products := productIDs(p, target)
	for _, d := range s.vex {
		if st := effective(d.Doc, ids, products, p.PURL); st != nil {
			if st.Status != StatusNotAffected && st.Status != StatusFixed {
				continue
			}
			reason := st.ImpactStatement
			if reason == "" {
				reason = st.StatusNotes
			}
			return &Decision{Kind: KindVEX, Source: d.Source, Rule: st.Vulnerability.Name,
				Reason: reason, Status: st.Status, Justification: st.Justification}
		}
	}
	return nil
}

// productIDs lists the identifiers a VEX product may use for this finding:
// the package's purl itself, and the scanned target (image reference,
// digest, or an oci purl) with the package as subcomponent.
func productIDs(p *model.Package, t *model.Target) []string {
	ids := []string{}
	if t != nil {
		for _, s := range []string{t.Name, t.Digest} {
			if s != "" {
				ids = append(ids, s)
			}
		}
		if t.Repository != "" && t.Digest != "" {
			name := t.Repository
			if i := strings.LastIndex(name, "/"); i >= 0 {
				name = name[i+1:]
			}
			ids = append(ids, "pkg:oci/"+name+"@"+strings.ReplaceAll(t.Digest, ":", "%3A"))
		}
	}
	return ids
}

// effective returns the latest statement of doc that names one of ids and
// applies to the package (directly by purl, or as a subcomponent of one of
// the product ids).
func effective(doc *VEX, ids, products []string, purl string) *Statement {
	var best *Statement
	var bestTime time.Time
	for i := range doc.Statements {
		st := &doc.Statements[i]
		named := false
		for _, id := range ids {
			if st.Vulnerability.Matches(id) {
				named = true
				break
			}
		}
		if !named {
			continue
		}
		applies := purl != "" && st.MatchesProduct(purl, "")
		for _, prod := range products {
			if applies {
				break
			}
			applies = st.MatchesProduct(prod, purl)
		}
		if !applies {
			continue
		}
		t := statementTime(doc, st)
		if best == nil || !t.Before(bestTime) {
			best, bestTime = st, t
		}
	}
	return best
}

func statementTime(doc *VEX, st *Statement) time.Time {
	switch {
	case st.LastUpdated != nil:
		return *st.LastUpdated
	case st.Timestamp != nil:
		return *st.Timestamp
	case doc.Timestamp != nil:
		return *doc.Timestamp
	}
	return time.Time{}
}
