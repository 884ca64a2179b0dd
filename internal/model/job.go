package model

import "time"

// JobID identifies a queued job.
type JobID int64

// JobKind names what a job does ("scan", "rematch"); workers register a
// handler per kind.
type JobKind string

// JobState is where a job is in its life. Acknowledged jobs are deleted.
type JobState string

// Job states.
const (
	JobQueued JobState = "queued"
	JobLeased JobState = "leased"
	JobDead   JobState = "dead"
)

// Job is a persisted unit of work.
type Job struct {
	ID   JobID   `json:"id"`
	Kind JobKind `json:"kind"`
	// AccountID is the account the work is for; empty for system work.
	AccountID AccountID `json:"accountId,omitempty"`
	// Payload is opaque to the queue (JSON by convention).
	Payload []byte `json:"payload,omitempty"`
	// DedupeKey, when set, makes Enqueue return the already queued job of
	// the same kind and key instead of adding another.
	DedupeKey string `json:"dedupeKey,omitempty"`
	// Priority orders ready jobs: higher first.
	Priority int `json:"priority"`
	// RunAt is the earliest time the job may be leased.
	RunAt time.Time `json:"runAt"`
	// MaxAttempts is the delivery limit; past it the job goes dead.
	MaxAttempts int `json:"maxAttempts"`
	// Attempts counts deliveries (leases) so far.
	Attempts   int       `json:"attempts"`
	State      JobState  `json:"state"`
	LastError  string    `json:"lastError,omitempty"`
	LeasedBy   string    `json:"leasedBy,omitempty"`
	LeaseUntil time.Time `json:"leaseUntil,omitzero"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Lease is a job handed to one worker until Expires. Token proves the
// holder; an expired lease may be given to another worker.
type Lease struct {
	Job     Job       `json:"job"`
	Token   string    `json:"token"`
	Worker  string    `json:"worker"`
	Expires time.Time `json:"expires"`
}

// Event is an outbox record: a state change announced to whoever must act,
// written in the same transaction as the change. Seq is assigned at commit
// and is monotonic and gap-free across the installation.
type Event struct {
	Seq       int64     `json:"seq"`
	AccountID AccountID `json:"accountId"`
	// Type is a dotted name ("finding.created", "resource.registered").
	Type string `json:"type"`
	// Subject is the id of the object concerned.
	Subject string `json:"subject,omitempty"`
	// Payload is a JSON document.
	Payload   []byte    `json:"payload,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}
