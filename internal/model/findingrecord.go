package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// FindingID identifies a finding: "fnd-" and 32 hex digits derived from the
// finding's key (account, resource, type, check id, target), so the same
// problem on the same thing always has the same id, across closes and
// reopens. The first 8 digits depend on the type and check id alone
// (internal/finding.ID).
type FindingID string

// Hex returns the 32 hex digits of the id (without the "fnd-" prefix).
func (id FindingID) Hex() string { return strings.TrimPrefix(string(id), "fnd-") }

// FindingStatus is where a finding is in its life.
type FindingStatus string

// Finding statuses, as in Inspector.
const (
	StatusActive     FindingStatus = "ACTIVE"
	StatusSuppressed FindingStatus = "SUPPRESSED"
	StatusClosed     FindingStatus = "CLOSED"
)

// Valid reports whether s is a known status.
func (s FindingStatus) Valid() bool {
	return s == StatusActive || s == StatusSuppressed || s == StatusClosed
}

// FixAvailable says whether every vulnerable package of a finding has a
// fixed version: YES (all), PARTIAL (some) or NO (none).
type FixAvailable string

// Fix availability values.
const (
	FixYes     FixAvailable = "YES"
	FixNo      FixAvailable = "NO"
	FixPartial FixAvailable = "PARTIAL"
)

// ExploitAvailable says whether the vulnerability is known to be exploited
// (listed in CISA KEV).
type ExploitAvailable string

// Exploit availability values.
const (
	ExploitYes ExploitAvailable = "YES"
	ExploitNo  ExploitAvailable = "NO"
)

// ClosedReason says why a finding closed.
type ClosedReason string

// Closed reasons.
const (
	// ClosedFixed: the last scan of the resource no longer observed it.
	ClosedFixed ClosedReason = "FIXED"
	// ClosedResourceDeleted: the resource was removed.
	ClosedResourceDeleted ClosedReason = "RESOURCE_DELETED"
)

// ScoreAdjustment is one change the vigil score made to the base score,
// with its reason (Inspector's adjustments[], plus the delta).
type ScoreAdjustment struct {
	// Metric is what was adjusted for: "exploitability" (KEV), "epss",
	// "attackVector" (network exposure).
	Metric string `json:"metric"`
	Reason string `json:"reason"`
	// Delta is added to the score (negative lowers it).
	Delta float64 `json:"delta"`
}

// ScoreDetails explains a vigil score: the CVSS base it started from and
// each adjustment (Inspector's inspectorScoreDetails.adjustedCvss).
type ScoreDetails struct {
	// Base is the highest CVSS base score of the vulnerability.
	Base float64 `json:"base"`
	// Version, Vector and Source describe the CVSS the base came from.
	Version string `json:"version"`
	Vector  string `json:"vector"`
	Source  string `json:"source"`
	// Score is Base plus every adjustment, kept within [0, 10] and rounded
	// to one decimal.
	Score       float64           `json:"score"`
	Adjustments []ScoreAdjustment `json:"adjustments,omitempty"`
}

// Remediation is advice to fix a finding.
type Remediation struct {
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// VulnerablePackage is an affected package of a finding, with where it was
// found (Inspector's vulnerablePackages[]).
type VulnerablePackage struct {
	Ecosystem      Ecosystem      `json:"ecosystem"`
	Name           string         `json:"name"`
	Version        string         `json:"version"`
	SourceName     string         `json:"sourceName,omitempty"`
	SourceVersion  string         `json:"sourceVersion,omitempty"`
	Arch           string         `json:"arch,omitempty"`
	PURL           string         `json:"purl,omitempty"`
	Manager        PackageManager `json:"packageManager,omitempty"`
	FilePath       string         `json:"filePath,omitempty"`
	FixedInVersion string         `json:"fixedInVersion,omitempty"`
	FixState       FixState       `json:"fixState,omitempty"`
	// Layer is the diff id of the image layer that installed the package.
	Layer string `json:"sourceLayerHash,omitempty"`
}

// PackageVulnerabilityDetails is the target part of a package finding
// (Inspector's packageVulnerabilityDetails).
type PackageVulnerabilityDetails struct {
	VulnerabilityID string `json:"vulnerabilityId"`
	// Source names the feed of the advisory ("osv", "debian", …).
	Source         string `json:"source,omitempty"`
	SourceURL      string `json:"sourceUrl,omitempty"`
	VendorSeverity string `json:"vendorSeverity,omitempty"`
	// SeveritySource says where the severity came from.
	SeveritySource string    `json:"severitySource,omitempty"`
	CVSS           []CVSS    `json:"cvss,omitempty"`
	ReferenceURLs  []string  `json:"referenceUrls,omitempty"`
	CWEs           []string  `json:"cwes,omitempty"`
	Published      time.Time `json:"vendorCreatedAt,omitzero"`
	Modified       time.Time `json:"vendorUpdatedAt,omitzero"`
	// RelatedVulnerabilities holds the aliases (GHSA, DSA, USN, …).
	RelatedVulnerabilities []string            `json:"relatedVulnerabilities,omitempty"`
	VulnerablePackages     []VulnerablePackage `json:"vulnerablePackages"`
	// Evidence says why the package matched.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// FindingResource is the resource a finding concerns, as it was when last
// observed.
type FindingResource struct {
	ID     ResourceID        `json:"id"`
	Type   ResourceType      `json:"type"`
	Name   string            `json:"name"`
	Digest string            `json:"digest,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
	// ImageRepository and ImageTag are parsed from an IMAGE's name
	// ("registry.example.com/app" and "1.0"); empty for other types.
	ImageRepository string `json:"imageRepository,omitempty"`
	ImageTag        string `json:"imageTag,omitempty"`
}

// FindingSuppression says which rule suppresses a finding.
type FindingSuppression struct {
	RuleID SuppressionRuleID `json:"ruleId"`
	Reason string            `json:"reason,omitempty"`
	// ExpiresAt is the rule's expiry; zero when it never expires.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// Finding is a stored finding, modelled on Amazon Inspector's: a problem
// (advisory or check) on a target (package, port, file) of one resource,
// kept current by reconciliation with each scan.
type Finding struct {
	ID        FindingID   `json:"id"`
	AccountID AccountID   `json:"accountId"`
	Type      FindingType `json:"type"`
	// CheckID is the advisory id (the vulnerability id) for package
	// findings, the rule or check id for others.
	CheckID     string   `json:"checkId"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	// Score is the vigil score (ScoreDetails.Score); nil when no CVSS is
	// known.
	Score        *float64      `json:"score,omitempty"`
	ScoreDetails *ScoreDetails `json:"scoreDetails,omitempty"`
	EPSS         *EPSS         `json:"epss,omitempty"`
	// ExploitAvailable is YES when the vulnerability is in CISA KEV; KEV
	// holds the entry (with its dates).
	ExploitAvailable ExploitAvailable `json:"exploitAvailable"`
	KEV              *KEV             `json:"kev,omitempty"`
	FixAvailable     FixAvailable     `json:"fixAvailable"`
	Remediation      Remediation      `json:"remediation"`
	Resource         FindingResource  `json:"resource"`

	Status       FindingStatus       `json:"status"`
	Suppression  *FindingSuppression `json:"suppression,omitempty"`
	ClosedReason ClosedReason        `json:"closedReason,omitempty"`

	FirstObservedAt time.Time `json:"firstObservedAt"`
	LastObservedAt  time.Time `json:"lastObservedAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
	// ClosedAt is when the finding last closed; zero while open.
	ClosedAt time.Time `json:"closedAt,omitzero"`
	// ReopenCount counts how often a closed finding came back.
	ReopenCount int `json:"reopenCount"`
	// SnapshotID is the advisory snapshot of the last observation; ScanID
	// the scan.
	SnapshotID string `json:"snapshotId,omitempty"`
	ScanID     string `json:"scanId,omitempty"`

	// Exactly one of the target parts is set, matching Type.
	Package *PackageVulnerabilityDetails `json:"packageVulnerabilityDetails,omitempty"`
	Network *NetworkDetail               `json:"networkReachabilityDetails,omitempty"`
	Code    *CodeDetail                  `json:"codeVulnerabilityDetails,omitempty"`

	// Content, when set, is ContentJSON as computed by whoever built the
	// finding (reconciliation, for its fingerprint), so that a store
	// writing it does not encode it again. Whoever changes the finding's
	// content afterwards must clear it. Never serialised.
	Content []byte `json:"-"`
	// ContentFingerprint, when set with Content, is FingerprintOf(Content).
	// Never serialised.
	ContentFingerprint string `json:"-"`
}

// FirstPackage returns the first vulnerable package, or nil.
func (f *Finding) FirstPackage() *VulnerablePackage {
	if f.Package == nil || len(f.Package.VulnerablePackages) == 0 {
		return nil
	}
	return &f.Package.VulnerablePackages[0]
}

// ContentJSON returns the JSON of what a scan determines about the
// finding: everything but its identity, status, suppression and life
// times (those are zeroed). The advisory snapshot each evidence entry
// names is the finding's SnapshotID, a lifecycle field, so it is left out
// too: a finding an advisory update re-matched unchanged keeps its
// fingerprint (and is touched, not rewritten). It is stable across a JSON
// round trip.
func (f *Finding) ContentJSON() []byte { return f.AppendContentJSON(nil) }

// AppendContentJSON appends ContentJSON to dst.
func (f *Finding) AppendContentJSON(dst []byte) []byte {
	c := f.content()
	if b, ok := appendFindingJSON(dst, &c, true); ok {
		return b
	}
	// What Marshal makes of it (nothing: it fails on the same values).
	return append(dst, contentJSONMarshal(f)...)
}

// content returns f with what ContentJSON leaves out zeroed (all but the
// evidence's snapshots, which share f's slice).
func (f *Finding) content() Finding {
	c := *f
	c.ID, c.AccountID = "", ""
	c.Status, c.Suppression, c.ClosedReason = "", nil, ""
	c.FirstObservedAt, c.LastObservedAt, c.UpdatedAt, c.ClosedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	c.ReopenCount, c.SnapshotID, c.ScanID = 0, "", ""
	return c
}

// contentJSONMarshal is ContentJSON made by encoding/json (the reference
// the hand-written encoder must match; nil when Marshal fails).
func contentJSONMarshal(f *Finding) []byte {
	c := f.content()
	if p := c.Package; p != nil && slices.ContainsFunc(p.Evidence, func(e Evidence) bool { return e.Snapshot != "" }) {
		d := *p
		d.Evidence = slices.Clone(p.Evidence)
		for i := range d.Evidence {
			d.Evidence[i].Snapshot = ""
		}
		c.Package = &d
	}
	b, _ := json.Marshal(&c) // a Finding always encodes
	return b
}

// FingerprintOf returns the fingerprint of a ContentJSON.
func FingerprintOf(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:16])
}

// Fingerprint returns a digest of ContentJSON. Reconciliation touches a
// finding whose fingerprint did not change instead of rewriting it.
func (f *Finding) Fingerprint() string { return FingerprintOf(f.ContentJSON()) }

// CVSSBase returns the highest CVSS base score, or -1 when none is known.
func (f *Finding) CVSSBase() float64 {
	if f.ScoreDetails != nil {
		return f.ScoreDetails.Base
	}
	return -1
}

// SeverityCounts counts findings by severity.
type SeverityCounts struct {
	Critical  int `json:"critical"`
	High      int `json:"high"`
	Medium    int `json:"medium"`
	Low       int `json:"low"`
	None      int `json:"none"`
	Untriaged int `json:"untriaged"`
	Total     int `json:"total"`
}

// Add counts n findings of severity s.
func (c *SeverityCounts) Add(s Severity, n int) {
	switch s {
	case SeverityCritical:
		c.Critical += n
	case SeverityHigh:
		c.High += n
	case SeverityMedium:
		c.Medium += n
	case SeverityLow:
		c.Low += n
	case SeverityNone:
		c.None += n
	default:
		c.Untriaged += n
	}
	c.Total += n
}
