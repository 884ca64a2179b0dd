package model

import "time"

// FixState says whether a fix exists for an affected package.
type FixState string

// Fix states. WontFix is set only when the feed says the vendor will not fix.
const (
	FixStateFixed    FixState = "fixed"
	FixStateNotFixed FixState = "not-fixed"
	FixStateWontFix  FixState = "wont-fix"
	FixStateUnknown  FixState = "unknown"
)

// CVSS is one CVSS vector with its computed base score.
type CVSS struct {
	// Version is "2.0", "3.0", "3.1" or "4.0".
	Version string `json:"version"`
	Vector  string `json:"vector"`
	// BaseScore is computed from the vector.
	BaseScore float64 `json:"baseScore"`
	// Source names where the vector came from ("osv", "nvd", a distro).
	Source string `json:"source"`
}

// EPSS is the FIRST Exploit Prediction Scoring System score of a CVE.
type EPSS struct {
	CVE        string  `json:"cve"`
	Score      float64 `json:"score"`
	Percentile float64 `json:"percentile"`
	// Date is the model date of the EPSS file (YYYY-MM-DD).
	Date string `json:"date,omitempty"`
}

// KEV is an entry of CISA's Known Exploited Vulnerabilities catalog.
type KEV struct {
	CVE            string `json:"cve"`
	DateAdded      string `json:"dateAdded"`
	DueDate        string `json:"dueDate,omitempty"`
	RequiredAction string `json:"requiredAction,omitempty"`
	// KnownRansomware is CISA's knownRansomwareCampaignUse ("Known",
	// "Unknown").
	KnownRansomware string `json:"knownRansomwareCampaignUse,omitempty"`
}

// Evidence explains why a package matched an advisory, so that a user who
// suspects a false positive can check the reasoning.
type Evidence struct {
	// Advisory is the id of the record that matched (before alias merging).
	Advisory string `json:"advisory"`
	// Ecosystem is the advisory's affected ecosystem string ("Debian:12").
	Ecosystem string `json:"ecosystem"`
	// Package is the advisory package name that was looked up; for distro
	// packages it is the source package.
	Package string `json:"package"`
	// MatchedBy says which package field was used: "name" or "source".
	MatchedBy string `json:"matchedBy"`
	// Version is the installed version compared (source version for
	// distro packages matched by source).
	Version string `json:"version"`
	// Range describes what contains the version: "[introduced 0, fixed
	// 1.2.3)" or "listed in versions".
	Range string `json:"range"`
	// Feed and Snapshot name the data the decision came from.
	Feed     string `json:"feed"`
	Snapshot string `json:"snapshot"`
}

// Vulnerability is one advisory (with its aliases merged) affecting one
// package: the output of the match stage.
type Vulnerability struct {
	// ID is the preferred id: the CVE when there is one, else the record id.
	ID string `json:"id"`
	// Aliases holds every other id of the same vulnerability (GHSA, PYSEC,
	// GO, RUSTSEC, DSA/DLA, USN, …), sorted.
	Aliases []string `json:"aliases"`
	Summary string   `json:"summary,omitempty"`
	Details string   `json:"details,omitempty"`
	// Severity is the distribution's rating for distro packages, else the
	// CVSS band, else UNTRIAGED. SeveritySource says which.
	Severity       Severity `json:"severity"`
	SeveritySource string   `json:"severitySource"`
	// VendorSeverity is the distribution's own word ("medium", "high").
	VendorSeverity string    `json:"vendorSeverity,omitempty"`
	CVSS           []CVSS    `json:"cvss"`
	EPSS           *EPSS     `json:"epss"`
	KEV            *KEV      `json:"kev"`
	FixedIn        *string   `json:"fixedIn"`
	FixState       FixState  `json:"fixState"`
	References     []string  `json:"references,omitempty"`
	Published      time.Time `json:"published,omitzero"`
	Modified       time.Time `json:"modified,omitzero"`
	// CWEs lists weakness ids when the record gives them.
	CWEs []string `json:"cwes,omitempty"`
	// Evidence holds one entry per matching record.
	Evidence []Evidence `json:"evidence"`
}

// Match is a package together with the vulnerabilities that affect it.
type Match struct {
	Package         Package         `json:"package"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
}
