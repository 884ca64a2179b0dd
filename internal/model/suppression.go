package model

import "time"

// SuppressionRuleID identifies a suppression rule ("sup-" and hex).
type SuppressionRuleID string

// FilterAction is what a saved filter does to the findings it matches.
type FilterAction string

// Filter actions, as in Inspector: NONE saves a filter for reuse, SUPPRESS
// suppresses what it matches.
const (
	ActionNone     FilterAction = "NONE"
	ActionSuppress FilterAction = "SUPPRESS"
)

// RuleState says whether a rule is in force.
type RuleState string

// Rule states. An EXPIRED rule stays listed but suppresses nothing.
const (
	RuleActive  RuleState = "ACTIVE"
	RuleExpired RuleState = "EXPIRED"
)

// SuppressionRule is a saved finding filter with an action (Inspector's
// Filter), vigil adding an owner and an optional expiry.
type SuppressionRule struct {
	ID          SuppressionRuleID `json:"id"`
	AccountID   AccountID         `json:"accountId"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Action      FilterAction      `json:"action"`
	// Reason says why the findings are suppressed; Owner who answers for
	// the decision.
	Reason string        `json:"reason,omitempty"`
	Owner  string        `json:"owner,omitempty"`
	Filter FindingFilter `json:"filterCriteria"`
	// ExpiresAt is when the rule stops suppressing; zero for never.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// State is computed when the rule is read: EXPIRED once ExpiresAt has
	// passed.
	State     RuleState `json:"state"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ActiveAt reports whether the rule suppresses at time now: its action is
// SUPPRESS and it has not expired.
func (r *SuppressionRule) ActiveAt(now time.Time) bool {
	return r.Action == ActionSuppress && (r.ExpiresAt.IsZero() || now.Before(r.ExpiresAt))
}

// StateAt returns the rule's state at time now.
func (r *SuppressionRule) StateAt(now time.Time) RuleState {
	if !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt) {
		return RuleExpired
	}
	return RuleActive
}

// AggregationType names what findings are grouped by.
type AggregationType string

// Aggregation types (Inspector's, in vigil's resource vocabulary).
const (
	AggregateAccount         AggregationType = "ACCOUNT"
	AggregateResource        AggregationType = "RESOURCE"
	AggregatePackage         AggregationType = "PACKAGE"
	AggregateVulnerability   AggregationType = "VULNERABILITY"
	AggregateSeverity        AggregationType = "SEVERITY"
	AggregateImageRepository AggregationType = "IMAGE_REPOSITORY"
	AggregateImageLayer      AggregationType = "IMAGE_LAYER"
	AggregateFindingType     AggregationType = "FINDING_TYPE"
)

// AggregationTypes lists every aggregation type.
var AggregationTypes = []AggregationType{AggregateAccount, AggregateResource, AggregatePackage,
	AggregateVulnerability, AggregateSeverity, AggregateImageRepository, AggregateImageLayer, AggregateFindingType}

// Valid reports whether t is a known aggregation type.
func (t AggregationType) Valid() bool {
	for _, a := range AggregationTypes {
		if a == t {
			return true
		}
	}
	return false
}

// FindingAggregate is one group of an aggregation: its key and its
// findings counted by severity. Keys: ACCOUNT the account id, RESOURCE the
// resource id, PACKAGE "ecosystem/name", VULNERABILITY the check id,
// SEVERITY the severity, IMAGE_REPOSITORY the repository, IMAGE_LAYER the
// layer diff id, FINDING_TYPE the type.
type FindingAggregate struct {
	Key    string         `json:"key"`
	Counts SeverityCounts `json:"severityCounts"`
}
