package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// RuleID identifies an event rule ("rul-…").
type RuleID string

// TargetID identifies a delivery target ("tgt-…").
type TargetID string

// EventRule routes the events an EventBridge event pattern matches to
// targets of the same account.
type EventRule struct {
	ID          RuleID          `json:"id"`
	AccountID   model.AccountID `json:"accountId"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	// Pattern is the event pattern's JSON (checked by the caller with
	// event/pattern.Compile; the store checks only that it is JSON).
	Pattern string     `json:"pattern"`
	Enabled bool       `json:"enabled"`
	Targets []TargetID `json:"targets"`
	// CreatedAt and UpdatedAt are set by the store.
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// TargetKind says how a target receives events.
type TargetKind string

// Target kinds.
const (
	// TargetWebhook POSTs each event's envelope, signed, to a URL.
	TargetWebhook TargetKind = "webhook"
	// TargetCommand runs a program with the event on its standard input.
	TargetCommand TargetKind = "command"
	// TargetForward POSTs events to another vigil server's ingest
	// endpoint.
	TargetForward TargetKind = "forward"
	// TargetSlack POSTs a Slack-compatible message to an incoming
	// webhook.
	TargetSlack TargetKind = "slack"
)

// Valid reports whether k is a known kind.
func (k TargetKind) Valid() bool {
	switch k {
	case TargetWebhook, TargetCommand, TargetForward, TargetSlack:
		return true
	}
	return false
}

// Target is a destination of events. Config is the kind's settings as
// JSON (package delivery parses and checks it); Secret is the webhook's
// signing key or the forward target's token: stored, used by the relay,
// and never shown by the API after creation.
type Target struct {
	ID        TargetID        `json:"id"`
	AccountID model.AccountID `json:"accountId"`
	Name      string          `json:"name"`
	Kind      TargetKind      `json:"kind"`
	Config    []byte          `json:"-"`
	Secret    string          `json:"-"`
	// Cursor is the sequence number of the last outbox event the target
	// is done with (delivered, not matched, or dead-lettered). A new
	// target starts at the outbox's last sequence number.
	Cursor    int64     `json:"cursor"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Delivery outcomes.
const (
	// OutcomeDelivered is a successful attempt (a 2xx, a zero exit).
	OutcomeDelivered = "delivered"
	// OutcomeFailed is an attempt that will be retried.
	OutcomeFailed = "failed"
	// OutcomeDead is the last failed attempt: the event went to the
	// dead-letter list.
	OutcomeDead = "dead-lettered"
)

// Delivery is one attempt to deliver an event to a target.
type Delivery struct {
	ID        int64           `json:"id"`
	TargetID  TargetID        `json:"targetId"`
	AccountID model.AccountID `json:"accountId"`
	Seq       int64           `json:"seq"`
	// EventID is the envelope's id, the receiver's idempotency key.
	EventID string `json:"eventId"`
	Attempt int    `json:"attempt"`
	Outcome string `json:"outcome"`
	// Status is the HTTP status or the exit code; 0 when there was none.
	Status   int           `json:"status"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"durationNs"`
	At       time.Time     `json:"at"`
}

// DeadLetter is an event a target failed to receive after its retries.
type DeadLetter struct {
	ID        int64           `json:"id"`
	TargetID  TargetID        `json:"targetId"`
	AccountID model.AccountID `json:"accountId"`
	Seq       int64           `json:"seq"`
	EventID   string          `json:"eventId"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"lastError"`
	// Replay is set while a replay is requested and not yet attempted.
	Replay    bool      `json:"replay"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Progress is what a relay commits after delivering: the target's new
// cursor and the attempts it made.
type Progress struct {
	Target TargetID
	// Cursor moves the target's cursor forward (never back); 0 leaves it.
	Cursor   int64
	Attempts []Delivery
	// Dead lists events that go to the dead-letter list.
	Dead []DeadLetter
}

// Counts are the figures the metrics endpoint reports, counted in the
// database at scrape time.
type Counts struct {
	// Findings counts findings by severity and status.
	Findings map[[2]string]int
	// Coverage counts resources by coverage status and reason.
	Coverage map[[2]string]int
	// Queued counts queued jobs by kind; OldestQueued is the creation
	// time of the oldest queued job (zero when none).
	Queued       map[model.JobKind]int
	OldestQueued time.Time
	// DeadLetters counts the dead-letter list by target.
	DeadLetters map[TargetID]int
}

// DeliveryStore holds event rules, targets, their cursors, delivery
// attempts and dead letters.
type DeliveryStore interface {
	CreateRule(ctx context.Context, r EventRule) (EventRule, error)
	GetRule(ctx context.Context, id RuleID) (EventRule, error)
	// UpdateRule replaces the rule's name, description, pattern, enabled
	// flag and targets.
	UpdateRule(ctx context.Context, r EventRule) (EventRule, error)
	DeleteRule(ctx context.Context, id RuleID) error
	// ListRules returns up to limit rules with ID > after, in ID order.
	ListRules(ctx context.Context, after RuleID, limit int) ([]EventRule, error)

	// CreateTarget stores a target with its cursor at the outbox's last
	// sequence number.
	CreateTarget(ctx context.Context, t Target) (Target, error)
	GetTarget(ctx context.Context, id TargetID) (Target, error)
	// UpdateTarget replaces name and config, and the secret when
	// t.Secret is not empty.
	UpdateTarget(ctx context.Context, t Target) (Target, error)
	// DeleteTarget removes the target, its attempts and dead letters, and
	// drops it from the rules that name it.
	DeleteTarget(ctx context.Context, id TargetID) error
	ListTargets(ctx context.Context, after TargetID, limit int) ([]Target, error)

	// LeaseTarget holds or takes the target's delivery lease for owner
	// until ttl from now; it reports false when another owner's lease is
	// still live. One relay at a time delivers to a target.
	LeaseTarget(ctx context.Context, id TargetID, owner string, ttl time.Duration) (bool, error)
	// ReleaseTarget gives up owner's lease on the target (a relay that
	// stops cleanly), so another relay can take it at once; it does
	// nothing when owner does not hold it.
	ReleaseTarget(ctx context.Context, id TargetID, owner string) error

	// Version is a number that changes whenever a rule or target does:
	// the relay reloads its configuration when it moves.
	Version(ctx context.Context) (int64, error)

	// Commit records a relay's progress on one target.
	Commit(ctx context.Context, p Progress) error
	// Deliveries returns up to limit attempts on the target with
	// ID < before (0: the newest), newest first.
	Deliveries(ctx context.Context, target TargetID, before int64, limit int) ([]Delivery, error)
	// PruneDeliveries deletes attempts recorded before t.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)

	// DeadLetters returns up to limit dead letters of the target with
	// ID > after, in ID order.
	DeadLetters(ctx context.Context, target TargetID, after int64, limit int) ([]DeadLetter, error)
	// RequestReplay marks the given dead letters of the target (all of
	// them when ids is empty) for replay and returns how many.
	RequestReplay(ctx context.Context, target TargetID, ids []int64) (int, error)
	// Replays returns up to limit dead letters of the target marked for
	// replay, in ID order.
	Replays(ctx context.Context, target TargetID, limit int) ([]DeadLetter, error)
	// Replayed ends a replay: a delivered letter is deleted, a failed one
	// keeps its place with one more attempt and the new error.
	Replayed(ctx context.Context, id int64, delivered bool, lastError string) error

	// Ingested records that a forwarded event was received; it reports
	// false when the same (account, event id) was received before.
	Ingested(ctx context.Context, account model.AccountID, eventID string) (bool, error)

	// Counts returns the metrics figures of the scope.
	Counts(ctx context.Context) (Counts, error)
}
