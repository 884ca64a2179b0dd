package suppress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openvex/go-vex/pkg/csaf"
	"github.com/package-url/packageurl-go"
)

// This file reads OpenVEX documents the way github.com/openvex/go-vex
// (v0.2.9) does, without its dependencies: go-vex links in-toto and
// protobuf, whose package initialisation ran on every start of the vigil
// binary. CSAF documents still go through go-vex's csaf package, which
// depends on nothing else.

// openVEXContext prefixes the @context of OpenVEX documents; the current
// specification is openVEXContext + "/v0.2.0".
const openVEXContext = "https://openvex.dev/ns"

// VEX statuses.
const (
	StatusNotAffected        = "not_affected"
	StatusAffected           = "affected"
	StatusFixed              = "fixed"
	StatusUnderInvestigation = "under_investigation"
)

var (
	statuses       = []string{StatusNotAffected, StatusAffected, StatusFixed, StatusUnderInvestigation}
	justifications = []string{"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
		"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"}
)

// VEX is an OpenVEX document. The fields and their types are go-vex's,
// so a document go-vex rejects (a string "version", say) is rejected here.
type VEX struct {
	Context     string      `json:"@context"`
	ID          string      `json:"@id"`
	Author      string      `json:"author"`
	AuthorRole  string      `json:"role,omitempty"`
	Timestamp   *time.Time  `json:"timestamp"`
	LastUpdated *time.Time  `json:"last_updated,omitempty"`
	Version     int         `json:"version"`
	Tooling     string      `json:"tooling,omitempty"`
	Supplier    string      `json:"supplier,omitempty"`
	Statements  []Statement `json:"statements"`
}

// Statement is one VEX statement.
type Statement struct {
	ID                       string        `json:"@id,omitempty"`
	Vulnerability            Vulnerability `json:"vulnerability"`
	Timestamp                *time.Time    `json:"timestamp,omitempty"`
	LastUpdated              *time.Time    `json:"last_updated,omitempty"`
	Products                 []Product     `json:"products,omitempty"`
	Status                   string        `json:"status"`
	StatusNotes              string        `json:"status_notes,omitempty"`
	Justification            string        `json:"justification,omitempty"`
	ImpactStatement          string        `json:"impact_statement,omitempty"`
	ActionStatement          string        `json:"action_statement,omitempty"`
	ActionStatementTimestamp *time.Time    `json:"action_statement_timestamp,omitempty"`
}

// Vulnerability names what a statement is about.
type Vulnerability struct {
	ID          string   `json:"@id,omitempty"`
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
}

// Component identifies a product or subcomponent.
type Component struct {
	ID          string            `json:"@id,omitempty"`
	Hashes      map[string]string `json:"hashes,omitempty"`
	Identifiers map[string]string `json:"identifiers,omitempty"`
	Supplier    string            `json:"supplier,omitempty"`
}

// Product is a statement's product with its subcomponents.
type Product struct {
	Component
	Subcomponents []Component `json:"subcomponents,omitempty"`
}

// parseVEX reads a document as go-vex's vex.Open does: OpenVEX v0.2.0, the
// legacy v0.0.1 layout, or a CSAF document (whose products, as go-vex
// converts them, are the CSAF product ids).
func parseVEX(data []byte) (*VEX, error) {
	var head struct {
		Context string `json:"@context"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("parsing context from json data: %w", err)
	}
	switch {
	case head.Context == openVEXContext+"/v0.2.0":
		d := &VEX{}
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("unmarshaling VEX document: %w", err)
		}
		return d, nil
	case strings.HasPrefix(head.Context, openVEXContext):
		version := strings.TrimPrefix(strings.TrimPrefix(head.Context, openVEXContext), "/")
		if version != "" && version != "v0.0.1" {
			return nil, fmt.Errorf("unable to get parser for version %s", version)
		}
		return parseVEX001(data)
	case bytes.Contains(data, []byte(`"csaf_version"`)):
		return parseCSAF(data)
	}
	return nil, errors.New("unable to detect document format")
}

// parseVEX001 reads the v0.0.1 layout (plain-string vulnerability,
// products and subcomponents).
func parseVEX001(data []byte) (*VEX, error) {
	var old struct {
		Context    string     `json:"@context"`
		ID         string     `json:"@id"`
		Author     string     `json:"author"`
		AuthorRole string     `json:"role"`
		Timestamp  *time.Time `json:"timestamp"`
		Version    string     `json:"version"`
		Tooling    string     `json:"tooling"`
		Supplier   string     `json:"supplier"` // decoded for its type check
		Statements []struct {
			Vulnerability   string     `json:"vulnerability"`
			VulnDescription string     `json:"vuln_description"`
			Timestamp       *time.Time `json:"timestamp"`
			Products        []string   `json:"products"`
			Subcomponents   []string   `json:"subcomponents"`
			Status          string     `json:"status"`
			StatusNotes     string     `json:"status_notes"`
			Justification   string     `json:"justification"`
			ImpactStatement string     `json:"impact_statement"`
			ActionStatement string     `json:"action_statement"`
			// ActionStatementTimestamp is decoded for its type check.
			ActionStatementTimestamp *time.Time `json:"action_statement_timestamp"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, fmt.Errorf("decoding OpenVEX v0.0.1 in compatibility mode: %w", err)
	}
	// As go-vex: the document becomes a current one (context, version 1
	// unless the old one was numeric), keeping author, role, id, tooling
	// and timestamp.
	d := &VEX{Context: openVEXContext + "/v0.2.0", Version: 1, ID: old.ID, Author: old.Author,
		AuthorRole: old.AuthorRole, Timestamp: old.Timestamp, Tooling: old.Tooling, Statements: []Statement{}}
	if v, err := strconv.Atoi(old.Version); err == nil {
		d.Version = v
	}
	for _, o := range old.Statements {
		st := Statement{Vulnerability: Vulnerability{Name: o.Vulnerability, Description: o.VulnDescription}, Timestamp: o.Timestamp,
			Status: o.Status, StatusNotes: o.StatusNotes, Justification: o.Justification,
			ImpactStatement: o.ImpactStatement, ActionStatement: o.ActionStatement,
			ActionStatementTimestamp: o.ActionStatementTimestamp}
		for _, id := range o.Products {
			p := Product{Component: Component{ID: id}, Subcomponents: []Component{}}
			for _, sc := range o.Subcomponents {
				if sc != "" {
					p.Subcomponents = append(p.Subcomponents, Component{ID: sc})
				}
			}
			st.Products = append(st.Products, p)
		}
		d.Statements = append(d.Statements, st)
	}
	return d, nil
}

// parseCSAF converts a CSAF document as go-vex's OpenCSAF does with no
// product filter: one statement per vulnerability and listed product.
func parseCSAF(data []byte) (*VEX, error) {
	doc := &csaf.CSAF{}
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, fmt.Errorf("csaf: failed to decode document: %w", err)
	}
	products := map[string]bool{}
	for _, sp := range doc.ProductTree.ListProducts() {
		if len(sp.IdentificationHelper) > 0 {
			products[sp.ID] = true
		}
	}
	d := &VEX{ID: doc.Document.Tracking.ID, Timestamp: &time.Time{}, Statements: []Statement{}}
	for _, v := range doc.Vulnerabilities {
		for status, ids := range v.ProductStatus {
			for _, id := range ids {
				if !products[id] {
					continue
				}
				st := statusFromCSAF(status)
				if st == "" {
					return nil, fmt.Errorf("invalid status for product %s", id)
				}
				action := ""
				for _, t := range v.Threats {
					for _, p := range t.ProductIDs {
						if p == id {
							action = t.Details
						}
					}
				}
				d.Statements = append(d.Statements, Statement{Vulnerability: Vulnerability{Name: v.CVE},
					Status: st, ActionStatement: action, Products: []Product{{Component: Component{ID: id}}}})
			}
		}
	}
	return d, nil
}

func statusFromCSAF(s string) string {
	switch s {
	case "known_not_affected":
		return StatusNotAffected
	case "fixed":
		return StatusFixed
	case "under_investigation":
		return StatusUnderInvestigation
	case "known_affected":
		return StatusAffected
	}
	return ""
}

// Validate checks a statement against the OpenVEX rules for its status.
func (st *Statement) Validate() error {
	s := st.Status
	switch s {
	case StatusNotAffected:
		if st.Justification == "" && st.ImpactStatement == "" {
			return fmt.Errorf("either justification or impact statement must be defined when using status %q", s)
		}
		if j := st.Justification; j != "" && !contains(justifications, j) {
			return fmt.Errorf("invalid justification value %q, must be one of [%s]", j, strings.Join(justifications, ", "))
		}
		if v := st.ActionStatement; v != "" {
			return fmt.Errorf("action statement should not be set when using status %q (was set to %q)", s, v)
		}
	case StatusAffected:
		if v := st.Justification; v != "" {
			return fmt.Errorf("justification should not be set when using status %q (was set to %q)", s, v)
		}
		if v := st.ImpactStatement; v != "" {
			return fmt.Errorf("impact statement should not be set when using status %q (was set to %q)", s, v)
		}
		if st.ActionStatement == "" {
			return fmt.Errorf("action statement must be set when using status %q", s)
		}
	case StatusUnderInvestigation, StatusFixed:
		if v := st.Justification; v != "" {
			return fmt.Errorf("justification should not be set when using status %q (was set to %q)", s, v)
		}
		if v := st.ImpactStatement; v != "" {
			return fmt.Errorf("impact statement should not be set when using status %q (was set to %q)", s, v)
		}
		if v := st.ActionStatement; v != "" {
			return fmt.Errorf("action statement should not be set when using status %q (was set to %q)", s, v)
		}
	default:
		return fmt.Errorf("invalid status value %q, must be one of [%s]", s, strings.Join(statuses, ", "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Matches reports whether the vulnerability is identifier (its @id, name
// or one of its aliases).
func (v *Vulnerability) Matches(identifier string) bool {
	if v.ID == identifier || v.Name == identifier {
		return true
	}
	return contains(v.Aliases, identifier)
}

// MatchesProduct reports whether one of the statement's products is
// identifier with subidentifier among its subcomponents (any product
// without subcomponents, or an empty subidentifier, matches on the product
// alone).
func (st *Statement) MatchesProduct(identifier, subidentifier string) bool {
	for i := range st.Products {
		p := &st.Products[i]
		if !p.Matches(identifier) {
			continue
		}
		if len(p.Subcomponents) == 0 || subidentifier == "" {
			return true
		}
		for j := range p.Subcomponents {
			if p.Subcomponents[j].Matches(subidentifier) {
				return true
			}
		}
	}
	return false
}

// Matches reports whether the component is identifier: its @id, one of its
// identifiers or hashes, or a purl that PurlMatches it.
func (c *Component) Matches(identifier string) bool {
	if c.ID == identifier && c.ID != "" {
		return true
	}
	if strings.HasPrefix(c.ID, "pkg:") && PurlMatches(c.ID, identifier) {
		return true
	}
	for t, id := range c.Identifiers {
		if id == identifier {
			return true
		}
		if t == "purl" && strings.HasPrefix(identifier, "pkg:") && PurlMatches(id, identifier) {
			return true
		}
	}
	for _, h := range c.Hashes {
		if h == identifier {
			return true
		}
	}
	return false
}

// PurlMatches reports whether the general purl1 covers the specific purl2:
// same type, namespace and name; purl1 without a version covers every
// version; every qualifier of purl1 must be on purl2 with the same value.
func PurlMatches(purl1, purl2 string) bool {
	p1, err := packageurl.FromString(purl1)
	if err != nil {
		return false
	}
	p2, err := packageurl.FromString(purl2)
	if err != nil {
		return false
	}
	if p1.Type != p2.Type || p1.Namespace != p2.Namespace || p1.Name != p2.Name {
		return false
	}
	if p1.Version != "" && p1.Version != p2.Version {
		return false
	}
	q2 := p2.Qualifiers.Map()
	for k, v1 := range p1.Qualifiers.Map() {
		if v2, ok := q2[k]; !ok || v1 != v2 {
			return false
		}
	}
	return true
}
