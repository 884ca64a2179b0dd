package kev

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// Bounds on untrusted input.
const (
	// MaxFileSize is the largest catalog accepted, in bytes (1.3 MB with
	// 1404 entries in 2025).
	MaxFileSize = 64 << 20
	// MaxEntries is the most entries a catalog may hold.
	MaxEntries = 200_000
)

// Catalog is a parsed KEV catalog.
type Catalog struct {
	// Version is the catalogVersion ("2025.08.25").
	Version string
	// DateReleased is the release time as given ("2025-08-25T17:04:19.9796Z").
	DateReleased string
	// Entries holds the catalog's entries in file order.
	Entries []model.KEV
}

type rawCatalog struct {
	CatalogVersion  *string     `json:"catalogVersion"`
	DateReleased    *string     `json:"dateReleased"`
	Count           *int        `json:"count"`
	Vulnerabilities *[]rawEntry `json:"vulnerabilities"`
}

type rawEntry struct {
	CVEID                      string `json:"cveID"`
	VendorProject              string `json:"vendorProject"`
	Product                    string `json:"product"`
	VulnerabilityName          string `json:"vulnerabilityName"`
	DateAdded                  string `json:"dateAdded"`
	ShortDescription           string `json:"shortDescription"`
	RequiredAction             string `json:"requiredAction"`
	DueDate                    string `json:"dueDate"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
}

// Parse reads and checks a KEV catalog in its JSON form.
func Parse(r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &ParseError{Entry: -1, Reason: "read failed", Err: err}
	}
	if len(data) > MaxFileSize {
		return nil, &ParseError{Entry: -1, Reason: fmt.Sprintf("catalog larger than %d bytes", MaxFileSize)}
	}
	var raw rawCatalog
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &raw); err != nil {
		return nil, &ParseError{Entry: -1, Reason: "not KEV JSON", Err: err}
	}
	switch {
	case raw.CatalogVersion == nil || *raw.CatalogVersion == "":
		return nil, &ParseError{Entry: -1, Reason: "missing catalogVersion"}
	case raw.DateReleased == nil:
		return nil, &ParseError{Entry: -1, Reason: "missing dateReleased"}
	case raw.Count == nil:
		return nil, &ParseError{Entry: -1, Reason: "missing count"}
	case raw.Vulnerabilities == nil:
		return nil, &ParseError{Entry: -1, Reason: "missing vulnerabilities"}
	}
	if _, err := time.Parse(time.RFC3339Nano, *raw.DateReleased); err != nil {
		return nil, &ParseError{Entry: -1, Reason: "dateReleased is not an RFC 3339 time", Err: err}
	}
	vulns := *raw.Vulnerabilities
	if len(vulns) > MaxEntries {
		return nil, &ParseError{Entry: -1, Reason: fmt.Sprintf("more than %d entries", MaxEntries)}
	}
	if *raw.Count != len(vulns) {
		return nil, &ParseError{Entry: -1, Reason: fmt.Sprintf("count is %d but the catalog lists %d entries", *raw.Count, len(vulns))}
	}
	c := &Catalog{Version: *raw.CatalogVersion, DateReleased: *raw.DateReleased, Entries: make([]model.KEV, 0, len(vulns))}
	seen := make(map[string]bool, len(vulns))
	for i := range vulns {
		e := &vulns[i]
		if err := e.check(); err != nil {
			err.Entry, err.CVE = i, e.CVEID
			return nil, err
		}
		if seen[e.CVEID] {
			return nil, &ParseError{Entry: i, CVE: e.CVEID, Reason: "CVE listed twice"}
		}
		seen[e.CVEID] = true
		c.Entries = append(c.Entries, model.KEV{
			CVE:             e.CVEID,
			DateAdded:       e.DateAdded,
			DueDate:         e.DueDate,
			RequiredAction:  e.RequiredAction,
			KnownRansomware: e.KnownRansomwareCampaignUse,
		})
	}
	return c, nil
}

// check validates one entry against the catalog schema.
func (e *rawEntry) check() *ParseError {
	if !validCVE(e.CVEID) {
		return &ParseError{Reason: "cveID " + quote(e.CVEID) + " is not CVE-YYYY-NNNN"}
	}
	for _, f := range []struct{ name, value string }{
		{"vendorProject", e.VendorProject},
		{"product", e.Product},
		{"vulnerabilityName", e.VulnerabilityName},
		{"shortDescription", e.ShortDescription},
		{"requiredAction", e.RequiredAction},
	} {
		if strings.TrimSpace(f.value) == "" {
			return &ParseError{Reason: "missing " + f.name}
		}
	}
	for _, f := range []struct{ name, value string }{{"dateAdded", e.DateAdded}, {"dueDate", e.DueDate}} {
		if _, err := time.Parse(time.DateOnly, f.value); err != nil {
			return &ParseError{Reason: f.name + " " + quote(f.value) + " is not YYYY-MM-DD"}
		}
	}
	return nil
}

// validCVE matches the schema's ^CVE-[0-9]{4}-[0-9]{4,19}$.
func validCVE(s string) bool {
	rest, ok := strings.CutPrefix(s, "CVE-")
	if !ok || len(rest) < 9 || rest[4] != '-' {
		return false
	}
	year, num := rest[:4], rest[5:]
	return digits(year) && len(num) >= 4 && len(num) <= 19 && digits(num)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// quote renders untrusted text for an error message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}

// Lookup returns the catalog's entries keyed by CVE id.
func (c *Catalog) Lookup() map[string]model.KEV {
	m := make(map[string]model.KEV, len(c.Entries))
	for _, e := range c.Entries {
		m[e.CVE] = e
	}
	return m
}
