package model

import "time"

// ResourceID identifies a resource within an installation.
type ResourceID string

// ResourceType is the kind of an assessed resource, in Inspector's
// spirit.
type ResourceType string

// Resource types.
const (
	ResourceHost     ResourceType = "HOST"
	ResourceImage    ResourceType = "IMAGE"
	ResourceFunction ResourceType = "FUNCTION"
	ResourceSBOM     ResourceType = "SBOM"
)

// Valid reports whether t is a known resource type.
func (t ResourceType) Valid() bool {
	switch t {
	case ResourceHost, ResourceImage, ResourceFunction, ResourceSBOM:
		return true
	}
	return false
}

// CoverageStatus says whether a resource is being assessed.
type CoverageStatus string

// Coverage statuses.
const (
	CoverageActive   CoverageStatus = "ACTIVE"
	CoverageInactive CoverageStatus = "INACTIVE"
)

// CoverageReason explains a coverage status, with Inspector's reason codes.
type CoverageReason string

// Coverage reasons.
const (
	ReasonPendingInitialScan     CoverageReason = "PENDING_INITIAL_SCAN"
	ReasonSuccessful             CoverageReason = "SUCCESSFUL"
	ReasonScanFailed             CoverageReason = "SCAN_FAILED"
	ReasonScanInProgress         CoverageReason = "SCAN_IN_PROGRESS"
	ReasonUnsupportedOS          CoverageReason = "UNSUPPORTED_OS"
	ReasonExcludedByTag          CoverageReason = "EXCLUDED_BY_TAG"
	ReasonScanEligibilityExpired CoverageReason = "SCAN_ELIGIBILITY_EXPIRED"
	ReasonStaleInventory         CoverageReason = "STALE_INVENTORY"
	ReasonNoInventory            CoverageReason = "NO_INVENTORY"
	ReasonInternalError          CoverageReason = "INTERNAL_ERROR"
	ReasonAccessDenied           CoverageReason = "ACCESS_DENIED"
	ReasonResourceTerminated     CoverageReason = "RESOURCE_TERMINATED"
	ReasonScanFrequencyManual    CoverageReason = "SCAN_FREQUENCY_MANUAL"
)

// Coverage is the assessment state of one resource.
type Coverage struct {
	Status CoverageStatus `json:"status"`
	Reason CoverageReason `json:"reason"`
	// LastScannedAt is when the last scan finished; zero before the first.
	LastScannedAt time.Time `json:"lastScannedAt,omitzero"`
}

// Resource is something vigil assesses: a host, an image, a function
// package or an uploaded SBOM. (AccountID, Type, Name) is unique.
type Resource struct {
	ID        ResourceID   `json:"id"`
	AccountID AccountID    `json:"accountId"`
	Type      ResourceType `json:"type"`
	// Name is the stable identity within the account and type: an image
	// repository reference, a host id, a function name.
	Name string `json:"name"`
	// Digest is the image manifest digest or the content hash of the
	// uploaded artifact; a change means the resource must be rescanned.
	Digest    string            `json:"digest,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
	Coverage  Coverage          `json:"coverage"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
}
