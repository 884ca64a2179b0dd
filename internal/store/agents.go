package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// EnrollmentToken lets hosts enroll agents into an account. Only the hash
// of its secret is stored.
type EnrollmentToken struct {
	ID        string          `json:"id"`
	AccountID model.AccountID `json:"accountId"`
	Name      string          `json:"name"`
	Hash      []byte          `json:"-"`
	// Uses counts the agents enrolled with it; MaxUses bounds them (0 =
	// unbounded).
	Uses      int       `json:"uses"`
	MaxUses   int       `json:"maxUses,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

// Usable reports whether the token may enroll one more agent at now.
func (t *EnrollmentToken) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)) &&
		(t.MaxUses == 0 || t.Uses < t.MaxUses)
}

// Agent is an enrolled host agent. Only the hash of its credential is
// stored.
type Agent struct {
	ID        string          `json:"id"`
	AccountID model.AccountID `json:"accountId"`
	Hostname  string          `json:"hostname"`
	// ResourceID is the HOST resource the agent reports for.
	ResourceID      model.ResourceID `json:"resourceId"`
	EnrollmentToken string           `json:"enrollmentTokenId"`
	Hash            []byte           `json:"-"`
	// Version is the agent's vigil version, as last reported.
	Version    string    `json:"version,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	LastSeenAt time.Time `json:"lastSeenAt,omitzero"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
	// ReportHash is the content hash of the last report; ReportedAt when
	// it was stored.
	ReportHash string    `json:"reportHash,omitempty"`
	ReportedAt time.Time `json:"reportedAt,omitzero"`
}

// Usable reports whether the agent's credential is accepted.
func (a *Agent) Usable() bool { return a.RevokedAt.IsZero() }

// AgentStore holds enrollment tokens, agents and each agent's last report
// of host facts (stored opaque: the API defines its shape).
type AgentStore interface {
	// CreateEnrollmentToken stores t (ID generated when empty; Hash
	// required, 32 bytes).
	CreateEnrollmentToken(ctx context.Context, t EnrollmentToken) (EnrollmentToken, error)
	// EnrollmentTokens lists the scope's enrollment tokens by id.
	EnrollmentTokens(ctx context.Context) ([]EnrollmentToken, error)
	// LookupEnrollmentToken finds an enrollment token by the hash of its
	// secret, usable or not.
	LookupEnrollmentToken(ctx context.Context, hash []byte) (EnrollmentToken, error)
	// RevokeEnrollmentToken marks a token revoked; revoking twice keeps
	// the first time.
	RevokeEnrollmentToken(ctx context.Context, id string) (EnrollmentToken, error)
	// Enroll counts one use of the enrollment token and stores the agent
	// (ID generated when empty; Hash required, 32 bytes). It fails with a
	// *InvalidError when the token is no longer usable.
	Enroll(ctx context.Context, tokenID string, a Agent) (Agent, error)
	Get(ctx context.Context, id string) (Agent, error)
	// List returns the scope's agents, revoked ones included, by id.
	List(ctx context.Context) ([]Agent, error)
	// Lookup finds an agent by the hash of its credential, revoked or not.
	Lookup(ctx context.Context, hash []byte) (Agent, error)
	// Revoke marks an agent's credential revoked; revoking twice keeps the
	// first time.
	Revoke(ctx context.Context, id string) (Agent, error)
	// Seen records a contact from the agent (and its version).
	Seen(ctx context.Context, id, version string) error
	// SaveReport stores the agent's last report and its content hash.
	SaveReport(ctx context.Context, id, hash string, data []byte) error
	// Report returns the last report of the newest agent reporting for a
	// resource; a *NotFoundError when no agent reported for it.
	Report(ctx context.Context, resource model.ResourceID) (Agent, []byte, error)
}
