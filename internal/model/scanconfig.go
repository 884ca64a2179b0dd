package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Coverage reasons the scan configuration gives (besides
// ReasonExcludedByTag, ReasonScanEligibilityExpired and
// ReasonScanFrequencyManual).
const (
	// ReasonScanTypeDisabled: the account's scan configuration does not
	// scan this resource type. Inspector has no reason for it (disabling
	// a scan type there removes the resources from coverage); vigil keeps
	// the resource and says why it is not assessed.
	ReasonScanTypeDisabled CoverageReason = "SCAN_TYPE_DISABLED"
	// ReasonPendingRevivalScan: the resource was out of coverage (tag,
	// type, expiry, on-demand mode) and is back; its scan is queued
	// (Inspector's name).
	ReasonPendingRevivalScan CoverageReason = "PENDING_REVIVAL_SCAN"
)

// ScanMode says when resources are scanned.
type ScanMode string

// Scan modes.
const (
	// ScanContinuous scans resources when they are registered, when their
	// content changes, on the rescan schedule and on request.
	ScanContinuous ScanMode = "CONTINUOUS"
	// ScanOnDemand scans a resource only when a scan is explicitly
	// requested (POST /v1/scans, or pushing the same resource again).
	ScanOnDemand ScanMode = "ON_DEMAND"
)

// RescanDuration is how long an image stays eligible for rescans after it
// was pushed (its digest last changed) or a scan of it was last requested:
// Inspector's ECR rescanDuration values.
type RescanDuration string

// Rescan durations.
const (
	RescanLifetime RescanDuration = "LIFETIME"
	RescanDays3    RescanDuration = "DAYS_3"
	RescanDays7    RescanDuration = "DAYS_7"
	RescanDays14   RescanDuration = "DAYS_14"
	RescanDays30   RescanDuration = "DAYS_30"
	RescanDays60   RescanDuration = "DAYS_60"
	RescanDays90   RescanDuration = "DAYS_90"
	RescanDays180  RescanDuration = "DAYS_180"
)

// RescanDurations lists the valid durations.
var RescanDurations = []RescanDuration{RescanLifetime, RescanDays3, RescanDays7, RescanDays14,
	RescanDays30, RescanDays60, RescanDays90, RescanDays180}

// Duration returns the window; 0 means no expiry (LIFETIME).
func (d RescanDuration) Duration() time.Duration {
	n, ok := strings.CutPrefix(string(d), "DAYS_")
	if !ok {
		return 0
	}
	days, err := strconv.Atoi(n)
	if err != nil {
		return 0
	}
	return time.Duration(days) * 24 * time.Hour
}

// TagFilter matches resources by tag: the key with this value, or with
// any value when Value is empty.
type TagFilter struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
}

// Matches reports whether tags hold the filter's key (and value).
func (f TagFilter) Matches(tags map[string]string) bool {
	v, ok := tags[f.Key]
	return ok && (f.Value == "" || v == f.Value)
}

// String returns KEY=VALUE, or KEY for any value.
func (f TagFilter) String() string {
	if f.Value == "" {
		return f.Key
	}
	return f.Key + "=" + f.Value
}

// ScanConfig is an account's scan configuration.
type ScanConfig struct {
	AccountID AccountID `json:"accountId"`
	// ResourceTypes are the types scanned; the others are covered
	// INACTIVE with SCAN_TYPE_DISABLED.
	ResourceTypes []ResourceType `json:"resourceTypes"`
	Mode          ScanMode       `json:"mode"`
	// IncludeTags, when not empty, limits scanning to resources matching
	// at least one of them; ExcludeTags excludes the resources matching
	// any of them (exclusion wins). Both give EXCLUDED_BY_TAG.
	IncludeTags []TagFilter `json:"includeTags"`
	ExcludeTags []TagFilter `json:"excludeTags"`
	// ImageRescanDuration ends the rescans of an image that long after it
	// was pushed or a scan of it was last requested
	// (SCAN_ELIGIBILITY_EXPIRED); LIFETIME never does.
	ImageRescanDuration RescanDuration `json:"imageRescanDuration"`
	// Default is true when the account has stored no configuration.
	Default   bool      `json:"default,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// UpdatedBy is the token that stored it.
	UpdatedBy string `json:"updatedBy,omitempty"`
}

// DefaultScanConfig is the configuration of an account that has stored
// none: every type, continuous, no tag filters, no expiry.
func DefaultScanConfig(acct AccountID) ScanConfig {
	return ScanConfig{
		AccountID:           acct,
		ResourceTypes:       []ResourceType{ResourceFunction, ResourceHost, ResourceImage, ResourceSBOM}, // sorted, as Normalize leaves them
		Mode:                ScanContinuous,
		IncludeTags:         []TagFilter{},
		ExcludeTags:         []TagFilter{},
		ImageRescanDuration: RescanLifetime,
		Default:             true,
	}
}

// ScanConfigError says a scan configuration is invalid.
type ScanConfigError struct {
	Field  string
	Reason string
}

func (e *ScanConfigError) Error() string {
	return fmt.Sprintf("scan configuration: %s: %s", e.Field, e.Reason)
}

// maxTagFilters bounds each tag filter list.
const maxTagFilters = 50

// Normalize fills the defaults of empty fields (nil ResourceTypes means
// every type; an empty, non-nil list means none), sorts and deduplicates
// the lists and checks every value.
func (c *ScanConfig) Normalize() error {
	def := DefaultScanConfig(c.AccountID)
	if c.ResourceTypes == nil {
		c.ResourceTypes = def.ResourceTypes
	}
	for _, t := range c.ResourceTypes {
		if !t.Valid() {
			return &ScanConfigError{Field: "resourceTypes", Reason: fmt.Sprintf("unknown type %q (want HOST, IMAGE, FUNCTION or SBOM)", t)}
		}
	}
	c.ResourceTypes = append([]ResourceType{}, slices.Compact(slices.Sorted(slices.Values(c.ResourceTypes)))...)
	if c.Mode == "" {
		c.Mode = ScanContinuous
	}
	if c.Mode != ScanContinuous && c.Mode != ScanOnDemand {
		return &ScanConfigError{Field: "mode", Reason: fmt.Sprintf("unknown mode %q (want CONTINUOUS or ON_DEMAND)", c.Mode)}
	}
	if c.ImageRescanDuration == "" {
		c.ImageRescanDuration = RescanLifetime
	}
	if !slices.Contains(RescanDurations, c.ImageRescanDuration) {
		return &ScanConfigError{Field: "imageRescanDuration", Reason: fmt.Sprintf("unknown duration %q (want LIFETIME or DAYS_3, 7, 14, 30, 60, 90, 180)", c.ImageRescanDuration)}
	}
	var err error
	if c.IncludeTags, err = normalizeTagFilters("includeTags", c.IncludeTags); err != nil {
		return err
	}
	c.ExcludeTags, err = normalizeTagFilters("excludeTags", c.ExcludeTags)
	return err
}

func normalizeTagFilters(field string, fs []TagFilter) ([]TagFilter, error) {
	if len(fs) > maxTagFilters {
		return nil, &ScanConfigError{Field: field, Reason: fmt.Sprintf("at most %d filters", maxTagFilters)}
	}
	out := make([]TagFilter, 0, len(fs))
	for _, f := range fs {
		if f.Key == "" || len(f.Key) > 256 || len(f.Value) > 256 {
			return nil, &ScanConfigError{Field: field, Reason: "keys must be 1 to 256 bytes and values at most 256"}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b TagFilter) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return slices.Compact(out), nil
}

// Scans reports whether the configuration scans resources of type t.
func (c *ScanConfig) Scans(t ResourceType) bool { return slices.Contains(c.ResourceTypes, t) }

// Excludes returns the reason a resource is out of coverage, or "" when
// it is covered: its type is not scanned (SCAN_TYPE_DISABLED), its tags
// exclude it (EXCLUDED_BY_TAG), or it is an image whose rescan window,
// started at eligibleSince, has passed at now (SCAN_ELIGIBILITY_EXPIRED).
// The mode is not considered: it says when covered resources are scanned.
func (c *ScanConfig) Excludes(r *Resource, eligibleSince, now time.Time) CoverageReason {
	if !c.Scans(r.Type) {
		return ReasonScanTypeDisabled
	}
	for _, f := range c.ExcludeTags {
		if f.Matches(r.Tags) {
			return ReasonExcludedByTag
		}
	}
	if len(c.IncludeTags) > 0 && !slices.ContainsFunc(c.IncludeTags, func(f TagFilter) bool { return f.Matches(r.Tags) }) {
		return ReasonExcludedByTag
	}
	if d := c.ImageRescanDuration.Duration(); r.Type == ResourceImage && d > 0 && !eligibleSince.IsZero() && !now.Before(eligibleSince.Add(d)) {
		return ReasonScanEligibilityExpired
	}
	return ""
}

// ConfigReason reports whether r is a coverage reason the scan
// configuration gives (the resource is not scanned because of it).
func (r CoverageReason) ConfigReason() bool {
	switch r {
	case ReasonScanTypeDisabled, ReasonExcludedByTag, ReasonScanEligibilityExpired, ReasonScanFrequencyManual:
		return true
	}
	return false
}
