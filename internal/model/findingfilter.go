package model

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// StringComparison is how a StringFilter compares.
type StringComparison string

// String comparisons, as in Inspector.
const (
	CompareEquals    StringComparison = "EQUALS"
	ComparePrefix    StringComparison = "PREFIX"
	CompareNotEquals StringComparison = "NOT_EQUALS"
)

// StringFilter compares a string field with a value.
type StringFilter struct {
	Comparison StringComparison `json:"comparison"`
	Value      string           `json:"value"`
}

// NumberFilter is an inclusive number range; a nil bound is open. A
// finding without the number (no score, no EPSS) never matches.
type NumberFilter struct {
	Min *float64 `json:"lowerInclusive,omitempty"`
	Max *float64 `json:"upperInclusive,omitempty"`
}

// DateFilter is an inclusive time range; a zero bound is open.
type DateFilter struct {
	Start time.Time `json:"startInclusive,omitzero"`
	End   time.Time `json:"endInclusive,omitzero"`
}

// MapFilter compares one resource tag: Key must be present with Value
// (EQUALS is the only comparison, as in Inspector).
type MapFilter struct {
	Comparison StringComparison `json:"comparison"`
	Key        string           `json:"key"`
	Value      string           `json:"value"`
}

// FindingFilter selects findings with Inspector's filter-criteria
// semantics: the criteria are ANDed; within one criterion the EQUALS and
// PREFIX values (and the ranges, and the tags) are ORed while NOT_EQUALS
// values are ANDed. An empty filter matches everything. Each criterion
// holds at most MaxFilterValues values.
type FindingFilter struct {
	AccountID []StringFilter `json:"accountId,omitempty"`
	FindingID []StringFilter `json:"findingId,omitempty"`
	// Status, Type, Severity, FixAvailable and ExploitAvailable take the
	// enumerated values of their fields.
	Status           []StringFilter `json:"findingStatus,omitempty"`
	Type             []StringFilter `json:"findingType,omitempty"`
	Severity         []StringFilter `json:"severity,omitempty"`
	FixAvailable     []StringFilter `json:"fixAvailable,omitempty"`
	ExploitAvailable []StringFilter `json:"exploitAvailable,omitempty"`
	Title            []StringFilter `json:"title,omitempty"`

	ResourceID   []StringFilter `json:"resourceId,omitempty"`
	ResourceType []StringFilter `json:"resourceType,omitempty"`
	ResourceTags []MapFilter    `json:"resourceTags,omitempty"`
	// ImageRepository and ImageTag apply to IMAGE resources.
	ImageRepository []StringFilter `json:"imageRepositoryName,omitempty"`
	ImageTag        []StringFilter `json:"imageTags,omitempty"`

	// VulnerabilityID compares the finding's check id (the advisory id of
	// package findings).
	VulnerabilityID  []StringFilter `json:"vulnerabilityId,omitempty"`
	PackageName      []StringFilter `json:"vulnerablePackageName,omitempty"`
	PackageVersion   []StringFilter `json:"vulnerablePackageVersion,omitempty"`
	PackageEcosystem []StringFilter `json:"vulnerablePackageEcosystem,omitempty"`
	FilePath         []StringFilter `json:"vulnerablePackageFilePath,omitempty"`
	// Layer compares the diff id of the layer that installed the package.
	Layer []StringFilter `json:"vulnerablePackageSourceLayerHash,omitempty"`

	// Score is the vigil score; CVSS the highest CVSS base score.
	Score []NumberFilter `json:"vigilScore,omitempty"`
	CVSS  []NumberFilter `json:"cvssScore,omitempty"`
	EPSS  []NumberFilter `json:"epssScore,omitempty"`

	FirstObservedAt []DateFilter `json:"firstObservedAt,omitempty"`
	LastObservedAt  []DateFilter `json:"lastObservedAt,omitempty"`
	UpdatedAt       []DateFilter `json:"updatedAt,omitempty"`
}

// MaxFilterValues bounds the values of one criterion.
const MaxFilterValues = 10

// maxFilterString bounds one compared string.
const maxFilterString = 1024

// FilterError says a filter is malformed.
type FilterError struct {
	Field  string
	Reason string
}

func (e *FilterError) Error() string { return fmt.Sprintf("filter %s: %s", e.Field, e.Reason) }

// StringCriterion is one string criterion of a filter with the finding
// field it compares, as FindingFilter.StringCriteria lists them.
type StringCriterion struct {
	// Field is the criterion's JSON name.
	Field   string
	Filters []StringFilter
	// Value returns the finding's value of the field.
	Value func(f *Finding) string
}

// StringCriteria lists the string criteria of fl in a fixed order, each
// with how to read its field from a finding. The store's query builders
// and Matches share it, so the two never disagree on what is compared.
func (fl *FindingFilter) StringCriteria() []StringCriterion {
	pkg := func(get func(p *VulnerablePackage) string) func(f *Finding) string {
		return func(f *Finding) string {
			if p := f.FirstPackage(); p != nil {
				return get(p)
			}
			return ""
		}
	}
	return []StringCriterion{
		{"accountId", fl.AccountID, func(f *Finding) string { return string(f.AccountID) }},
		{"findingId", fl.FindingID, func(f *Finding) string { return string(f.ID) }},
		{"findingStatus", fl.Status, func(f *Finding) string { return string(f.Status) }},
		{"findingType", fl.Type, func(f *Finding) string { return string(f.Type) }},
		{"severity", fl.Severity, func(f *Finding) string { return string(f.Severity) }},
		{"fixAvailable", fl.FixAvailable, func(f *Finding) string { return string(f.FixAvailable) }},
		{"exploitAvailable", fl.ExploitAvailable, func(f *Finding) string { return string(f.ExploitAvailable) }},
		{"title", fl.Title, func(f *Finding) string { return f.Title }},
		{"resourceId", fl.ResourceID, func(f *Finding) string { return string(f.Resource.ID) }},
		{"resourceType", fl.ResourceType, func(f *Finding) string { return string(f.Resource.Type) }},
		{"imageRepositoryName", fl.ImageRepository, func(f *Finding) string { return f.Resource.ImageRepository }},
		{"imageTags", fl.ImageTag, func(f *Finding) string { return f.Resource.ImageTag }},
		{"vulnerabilityId", fl.VulnerabilityID, func(f *Finding) string { return f.CheckID }},
		{"vulnerablePackageName", fl.PackageName, pkg(func(p *VulnerablePackage) string { return p.Name })},
		{"vulnerablePackageVersion", fl.PackageVersion, pkg(func(p *VulnerablePackage) string { return p.Version })},
		{"vulnerablePackageEcosystem", fl.PackageEcosystem, pkg(func(p *VulnerablePackage) string { return string(p.Ecosystem) })},
		{"vulnerablePackageFilePath", fl.FilePath, pkg(func(p *VulnerablePackage) string { return p.FilePath })},
		{"vulnerablePackageSourceLayerHash", fl.Layer, pkg(func(p *VulnerablePackage) string { return p.Layer })},
	}
}

// NumberCriterion is one number criterion with its finding field; Value
// returns a negative number when the finding has none.
type NumberCriterion struct {
	Field   string
	Filters []NumberFilter
	Value   func(f *Finding) float64
}

// NumberCriteria lists the number criteria of fl.
func (fl *FindingFilter) NumberCriteria() []NumberCriterion {
	return []NumberCriterion{
		{"vigilScore", fl.Score, func(f *Finding) float64 {
			if f.Score == nil {
				return -1
			}
			return *f.Score
		}},
		{"cvssScore", fl.CVSS, func(f *Finding) float64 { return f.CVSSBase() }},
		{"epssScore", fl.EPSS, func(f *Finding) float64 {
			if f.EPSS == nil {
				return -1
			}
			return f.EPSS.Score
		}},
	}
}

// DateCriterion is one date criterion with its finding field.
type DateCriterion struct {
	Field   string
	Filters []DateFilter
	Value   func(f *Finding) time.Time
}

// DateCriteria lists the date criteria of fl.
func (fl *FindingFilter) DateCriteria() []DateCriterion {
	return []DateCriterion{
		{"firstObservedAt", fl.FirstObservedAt, func(f *Finding) time.Time { return f.FirstObservedAt }},
		{"lastObservedAt", fl.LastObservedAt, func(f *Finding) time.Time { return f.LastObservedAt }},
		{"updatedAt", fl.UpdatedAt, func(f *Finding) time.Time { return f.UpdatedAt }},
	}
}

// Empty reports whether fl has no criterion.
func (fl *FindingFilter) Empty() bool {
	for _, c := range fl.StringCriteria() {
		if len(c.Filters) > 0 {
			return false
		}
	}
	for _, c := range fl.NumberCriteria() {
		if len(c.Filters) > 0 {
			return false
		}
	}
	for _, c := range fl.DateCriteria() {
		if len(c.Filters) > 0 {
			return false
		}
	}
	return len(fl.ResourceTags) == 0
}

// Validate checks every criterion: known comparisons, non-empty bounded
// values, at most MaxFilterValues values, ranges with Min ≤ Max. It
// returns a *FilterError.
func (fl *FindingFilter) Validate() error {
	for _, c := range fl.StringCriteria() {
		if len(c.Filters) > MaxFilterValues {
			return &FilterError{Field: c.Field, Reason: fmt.Sprintf("%d values (at most %d)", len(c.Filters), MaxFilterValues)}
		}
		for _, s := range c.Filters {
			switch s.Comparison {
			case CompareEquals, ComparePrefix, CompareNotEquals:
			default:
				return &FilterError{Field: c.Field, Reason: fmt.Sprintf("unknown comparison %q", s.Comparison)}
			}
			if s.Value == "" || len(s.Value) > maxFilterString || !utf8.ValidString(s.Value) {
				return &FilterError{Field: c.Field, Reason: "value must be 1 to 1024 bytes of UTF-8"}
			}
		}
	}
	for _, c := range fl.NumberCriteria() {
		if len(c.Filters) > MaxFilterValues {
			return &FilterError{Field: c.Field, Reason: fmt.Sprintf("%d ranges (at most %d)", len(c.Filters), MaxFilterValues)}
		}
		for _, r := range c.Filters {
			if r.Min == nil && r.Max == nil {
				return &FilterError{Field: c.Field, Reason: "range without bounds"}
			}
			if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
				return &FilterError{Field: c.Field, Reason: "lower bound above upper bound"}
			}
		}
	}
	for _, c := range fl.DateCriteria() {
		if len(c.Filters) > MaxFilterValues {
			return &FilterError{Field: c.Field, Reason: fmt.Sprintf("%d ranges (at most %d)", len(c.Filters), MaxFilterValues)}
		}
		for _, r := range c.Filters {
			if r.Start.IsZero() && r.End.IsZero() {
				return &FilterError{Field: c.Field, Reason: "range without bounds"}
			}
			if !r.Start.IsZero() && !r.End.IsZero() && r.Start.After(r.End) {
				return &FilterError{Field: c.Field, Reason: "start after end"}
			}
		}
	}
	if len(fl.ResourceTags) > MaxFilterValues {
		return &FilterError{Field: "resourceTags", Reason: fmt.Sprintf("%d values (at most %d)", len(fl.ResourceTags), MaxFilterValues)}
	}
	for _, m := range fl.ResourceTags {
		if m.Comparison != CompareEquals {
			return &FilterError{Field: "resourceTags", Reason: fmt.Sprintf("comparison %q (only EQUALS)", m.Comparison)}
		}
		if m.Key == "" || len(m.Key) > maxFilterString || len(m.Value) > maxFilterString {
			return &FilterError{Field: "resourceTags", Reason: "key must be 1 to 1024 bytes, value at most 1024"}
		}
	}
	return nil
}

// Matches reports whether finding f passes the filter. It is the in-memory
// twin of the store's query (used to apply suppression rules during
// reconciliation); the store conformance suite checks that they agree.
func (fl *FindingFilter) Matches(f *Finding) bool {
	for _, c := range fl.StringCriteria() {
		if len(c.Filters) > 0 && !MatchStrings(c.Filters, c.Value(f)) {
			return false
		}
	}
	for _, c := range fl.NumberCriteria() {
		if len(c.Filters) > 0 && !matchNumbers(c.Filters, c.Value(f)) {
			return false
		}
	}
	for _, c := range fl.DateCriteria() {
		if len(c.Filters) > 0 && !matchDates(c.Filters, c.Value(f)) {
			return false
		}
	}
	if len(fl.ResourceTags) > 0 {
		ok := false
		for _, m := range fl.ResourceTags {
			if v, has := f.Resource.Tags[m.Key]; has && v == m.Value {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// MatchStrings applies one criterion's string filters to v: every
// NOT_EQUALS must hold, and when there is any EQUALS or PREFIX one of them
// must.
func MatchStrings(fs []StringFilter, v string) bool {
	positive, hit := false, false
	for _, s := range fs {
		switch s.Comparison {
		case CompareNotEquals:
			if v == s.Value {
				return false
			}
		case CompareEquals:
			positive = true
			hit = hit || v == s.Value
		case ComparePrefix:
			positive = true
			hit = hit || strings.HasPrefix(v, s.Value)
		}
	}
	return !positive || hit
}

func matchNumbers(rs []NumberFilter, v float64) bool {
	if v < 0 {
		return false
	}
	for _, r := range rs {
		if (r.Min == nil || v >= *r.Min) && (r.Max == nil || v <= *r.Max) {
			return true
		}
	}
	return false
}

func matchDates(rs []DateFilter, v time.Time) bool {
	for _, r := range rs {
		if (r.Start.IsZero() || !v.Before(r.Start)) && (r.End.IsZero() || !v.After(r.End)) {
			return true
		}
	}
	return false
}
