package model

import "time"

// AccountID identifies an account (a tenant). Every stored row of the
// server belongs to exactly one account.
type AccountID string

// OrganizationID identifies an organisation: a group of accounts with one
// delegated-admin account that sees and configures all of them.
type OrganizationID string

// Organization is a group of accounts.
type Organization struct {
	ID        OrganizationID `json:"id"`
	Name      string         `json:"name"`
	CreatedAt time.Time      `json:"createdAt"`
}

// Account is one tenant of an installation.
type Account struct {
	ID   AccountID      `json:"id"`
	Org  OrganizationID `json:"organizationId"`
	Name string         `json:"name"`
	// DelegatedAdmin is true for the one account of an organisation that
	// sees and configures every member account.
	DelegatedAdmin bool      `json:"delegatedAdmin"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Role is what an API token may do within its account.
type Role string

// Roles, from most to least privileged.
const (
	RoleAdmin    Role = "admin"
	RoleMember   Role = "member"
	RoleReadOnly Role = "read-only"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleMember || r == RoleReadOnly
}

// TokenID identifies an API token; it is not secret.
type TokenID string

// Token is an API token as stored: only the SHA-256 hash of its secret is
// kept, never the secret itself.
type Token struct {
	ID        TokenID   `json:"id"`
	AccountID AccountID `json:"accountId"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	// Hash is the SHA-256 of the secret the client presents.
	Hash       []byte    `json:"-"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
}

// Usable reports whether the token may authenticate a request at now: not
// revoked and not expired.
func (t *Token) Usable(now time.Time) bool {
	if !t.RevokedAt.IsZero() {
		return false
	}
	return t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)
}

// AuditEntry records one configuration change: who did what to which
// object of which account.
type AuditEntry struct {
	ID        int64     `json:"id"`
	AccountID AccountID `json:"accountId"`
	// Actor is the token id or "system".
	Actor string `json:"actor"`
	// Action is a dotted verb ("token.create", "scanconfig.update").
	Action string `json:"action"`
	// Target is the id of the changed object.
	Target string `json:"target,omitempty"`
	// Detail is a JSON document describing the change.
	Detail []byte    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}
