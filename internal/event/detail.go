package event

import "time"

// Finding is the detail of the four finding events (created, updated,
// closed, suppressed): the whole finding after the change, shaped after
// Amazon Inspector's "Inspector2 Finding" detail, with vigil's additions
// (KEV, suppression, what changed).
type Finding struct {
	// FindingID is stable for the life of the finding:
	// "vigil:<account>:finding/<32 hex>".
	FindingID   string `json:"findingId"`
	AccountID   string `json:"accountId"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Type is PACKAGE_VULNERABILITY, NETWORK_REACHABILITY,
	// CODE_VULNERABILITY or CONFIGURATION.
	Type string `json:"type"`
	// Severity is CRITICAL, HIGH, MEDIUM, LOW, NONE or UNTRIAGED.
	Severity string `json:"severity"`
	// Status is ACTIVE, SUPPRESSED or CLOSED.
	Status          string    `json:"status"`
	FirstObservedAt time.Time `json:"firstObservedAt"`
	LastObservedAt  time.Time `json:"lastObservedAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
	// Score is the CVSS base score used for the severity, when any.
	Score            *float64    `json:"score,omitempty"`
	FixAvailable     string      `json:"fixAvailable"`     // YES, NO, PARTIAL
	ExploitAvailable string      `json:"exploitAvailable"` // YES, NO
	EPSS             *EPSS       `json:"epss,omitempty"`
	KEV              *KEV        `json:"kev,omitempty"`
	Remediation      Remediation `json:"remediation"`
	Resources        []Resource  `json:"resources"`

	PackageVulnerabilityDetails *PackageVulnerabilityDetails `json:"packageVulnerabilityDetails,omitempty"`
	NetworkReachabilityDetails  *NetworkReachabilityDetails  `json:"networkReachabilityDetails,omitempty"`
	CodeVulnerabilityDetails    *CodeVulnerabilityDetails    `json:"codeVulnerabilityDetails,omitempty"`

	// PreviousStatus is set on Finding Updated/Closed/Suppressed when the
	// status changed.
	PreviousStatus string `json:"previousStatus,omitempty"`
	// Changed lists the fields that changed (Finding Updated): severity,
	// score, fixAvailable, exploitAvailable, epss, kev, status.
	Changed []string `json:"changed,omitempty"`
	// ClosedReason says why a finding closed: FIXED (no longer observed),
	// RESOURCE_DELETED, ADVISORY_WITHDRAWN.
	ClosedReason string       `json:"closedReason,omitempty"`
	Suppression  *Suppression `json:"suppression,omitempty"`
}

// EPSS is the FIRST EPSS score of the vulnerability.
type EPSS struct {
	Score      float64 `json:"score"`
	Percentile float64 `json:"percentile,omitempty"`
}

// KEV is the CISA Known Exploited Vulnerabilities entry, when listed.
type KEV struct {
	DateAdded      string `json:"dateAdded"`
	DueDate        string `json:"dueDate,omitempty"`
	RequiredAction string `json:"requiredAction,omitempty"`
}

// Remediation is Inspector's remediation object.
type Remediation struct {
	Recommendation Recommendation `json:"recommendation"`
}

// Recommendation is advice in a sentence with an optional link.
type Recommendation struct {
	Text string `json:"text"`
	URL  string `json:"Url,omitempty"`
}

// Resource is an assessed resource a finding concerns.
type Resource struct {
	ID string `json:"id"`
	// Type is HOST, IMAGE, FUNCTION or SBOM.
	Type    string            `json:"type"`
	Region  string            `json:"region,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Details *ResourceDetails  `json:"details,omitempty"`
}

// ResourceDetails holds the type-specific part of a resource; one field is
// set.
type ResourceDetails struct {
	Image    *ImageDetails    `json:"image,omitempty"`
	Host     *HostDetails     `json:"host,omitempty"`
	Function *FunctionDetails `json:"function,omitempty"`
}

// ImageDetails describes a container image (Inspector's
// awsEcrContainerImage).
type ImageDetails struct {
	RepositoryName string   `json:"repositoryName"`
	ImageTags      []string `json:"imageTags,omitempty"`
	ImageHash      string   `json:"imageHash,omitempty"`
	Platform       string   `json:"platform,omitempty"`
}

// HostDetails describes a host (Inspector's awsEc2Instance).
type HostDetails struct {
	Hostname      string   `json:"hostname"`
	Platform      string   `json:"platform,omitempty"`
	IPV4Addresses []string `json:"ipV4Addresses,omitempty"`
}

// FunctionDetails describes a serverless function package (Inspector's
// awsLambdaFunction).
type FunctionDetails struct {
	FunctionName string `json:"functionName"`
	Runtime      string `json:"runtime,omitempty"`
	CodeSha256   string `json:"codeSha256,omitempty"`
}

// PackageVulnerabilityDetails is Inspector's packageVulnerabilityDetails.
type PackageVulnerabilityDetails struct {
	VulnerabilityID        string              `json:"vulnerabilityId"`
	Source                 string              `json:"source"`
	SourceURL              string              `json:"sourceUrl,omitempty"`
	VendorSeverity         string              `json:"vendorSeverity,omitempty"`
	VendorCreatedAt        *time.Time          `json:"vendorCreatedAt,omitempty"`
	VendorUpdatedAt        *time.Time          `json:"vendorUpdatedAt,omitempty"`
	CVSS                   []CVSS              `json:"cvss"`
	ReferenceURLs          []string            `json:"referenceUrls"`
	RelatedVulnerabilities []string            `json:"relatedVulnerabilities"`
	VulnerablePackages     []VulnerablePackage `json:"vulnerablePackages"`
}

// CVSS is one CVSS score.
type CVSS struct {
	BaseScore     float64 `json:"baseScore"`
	ScoringVector string  `json:"scoringVector"`
	Source        string  `json:"source"`
	Version       string  `json:"version"`
}

// VulnerablePackage is an affected package, with where it was found.
type VulnerablePackage struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	Epoch          int    `json:"epoch,omitempty"`
	Release        string `json:"release,omitempty"`
	Arch           string `json:"arch,omitempty"`
	PackageManager string `json:"packageManager"`
	FilePath       string `json:"filePath,omitempty"`
	FixedInVersion string `json:"fixedInVersion,omitempty"`
	Remediation    string `json:"remediation,omitempty"`
	// SourceLayerHash is the image layer (diff id) that installed it.
	SourceLayerHash string `json:"sourceLayerHash,omitempty"`
	PURL            string `json:"purl,omitempty"`
}

// NetworkReachabilityDetails is Inspector's networkReachabilityDetails.
type NetworkReachabilityDetails struct {
	Protocol      string      `json:"protocol"`
	OpenPortRange PortRange   `json:"openPortRange"`
	NetworkPath   NetworkPath `json:"networkPath"`
}

// PortRange is an inclusive port range.
type PortRange struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// NetworkPath is the path from the edge to the resource.
type NetworkPath struct {
	Steps []PathStep `json:"steps"`
}

// PathStep is one component on a network path.
type PathStep struct {
	ComponentID   string `json:"componentId"`
	ComponentType string `json:"componentType"`
}

// CodeVulnerabilityDetails is Inspector's codeVulnerabilityDetails, also
// used for configuration checks.
type CodeVulnerabilityDetails struct {
	CWEs      []string `json:"cwes,omitempty"`
	RuleID    string   `json:"ruleId"`
	FilePath  string   `json:"filePath"`
	StartLine int      `json:"startLine,omitempty"`
	EndLine   int      `json:"endLine,omitempty"`
}

// Suppression says which rule suppressed a finding and why.
type Suppression struct {
	Rule    string     `json:"rule"`
	Reason  string     `json:"reason,omitempty"`
	Expires *time.Time `json:"expires,omitempty"`
}

// ScanResource names the resource a scan or coverage event is about.
type ScanResource struct {
	ID     string            `json:"id"`
	Type   string            `json:"type"`
	Name   string            `json:"name"`
	Digest string            `json:"digest,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
}

// SeverityCounts counts findings by severity, as Inspector's
// finding-severity-counts (with vigil's extra bands).
type SeverityCounts struct {
	Critical  int `json:"CRITICAL"`
	High      int `json:"HIGH"`
	Medium    int `json:"MEDIUM"`
	Low       int `json:"LOW"`
	None      int `json:"NONE"`
	Untriaged int `json:"UNTRIAGED"`
	Total     int `json:"TOTAL"`
}

// ScanCompletedDetail is the detail of "Scan Completed".
type ScanCompletedDetail struct {
	ScanID   string       `json:"scanId"`
	Resource ScanResource `json:"resource"`
	// Status is COMPLETED, PARTIAL (an analyzer failed; see Issues) or
	// FAILED.
	Status                string         `json:"status"`
	StartedAt             time.Time      `json:"startedAt"`
	FinishedAt            time.Time      `json:"finishedAt"`
	DBSnapshot            string         `json:"dbSnapshot"`
	FindingSeverityCounts SeverityCounts `json:"finding-severity-counts"`
	FindingsCreated       int            `json:"findingsCreated"`
	FindingsClosed        int            `json:"findingsClosed"`
	Issues                []string       `json:"issues,omitempty"`
}

// InitialScanCompleteDetail is the detail of "Initial Scan Complete": the
// first scan of a resource finished (Inspector's INITIAL_SCAN_COMPLETE).
type InitialScanCompleteDetail struct {
	ScanStatus            string         `json:"scan-status"` // INITIAL_SCAN_COMPLETE
	Resource              ScanResource   `json:"resource"`
	DBSnapshot            string         `json:"dbSnapshot"`
	FindingSeverityCounts SeverityCounts `json:"finding-severity-counts"`
}

// CoverageState is a coverage status with its reason.
type CoverageState struct {
	Status string `json:"status"` // ACTIVE, INACTIVE
	Reason string `json:"reason"` // PENDING_INITIAL_SCAN, SUCCESSFUL, …
}

// CoverageChangedDetail is the detail of "Coverage Changed".
type CoverageChangedDetail struct {
	Resource ScanResource `json:"resource"`
	// ScanType is PACKAGE, NETWORK or CONFIGURATION.
	ScanType      string         `json:"scanType"`
	Previous      *CoverageState `json:"previous"`
	Current       CoverageState  `json:"current"`
	LastScannedAt *time.Time     `json:"lastScannedAt,omitempty"`
}

// FeedVersion is one feed of an advisory snapshot.
type FeedVersion struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	Records     int    `json:"records"`
}

// DiffCounts counts what an advisory update changed.
type DiffCounts struct {
	Added     int `json:"added"`
	Modified  int `json:"modified"`
	Withdrawn int `json:"withdrawn"`
	// Packages is the number of (ecosystem, package) pairs touched.
	Packages int `json:"packages"`
}

// AdvisoryDatabaseUpdatedDetail is the detail of "Advisory Database
// Updated".
type AdvisoryDatabaseUpdatedDetail struct {
	SnapshotID         string        `json:"snapshotId"`
	PreviousSnapshotID string        `json:"previousSnapshotId,omitempty"`
	Feeds              []FeedVersion `json:"feeds"`
	Diff               DiffCounts    `json:"diff"`
	// ResourcesAffected is how many of the account's resources the update
	// newly affected: those that got at least one new finding from the
	// snapshot (counted when its rematch ends).
	ResourcesAffected int `json:"resourcesAffected"`
}
