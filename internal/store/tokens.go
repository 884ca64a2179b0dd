package store

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// HashToken returns the stored form of a token secret.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// TokenStore holds API tokens.
type TokenStore interface {
	// Create stores t (ID generated when empty; Hash required, 32 bytes).
	Create(ctx context.Context, t model.Token) (model.Token, error)
	Get(ctx context.Context, id model.TokenID) (model.Token, error)
	// List returns the scope's tokens, revoked ones included, by id.
	List(ctx context.Context) ([]model.Token, error)
	// Lookup finds a token by the hash of its secret, whether usable or
	// not (check Token.Usable). The authenticator calls it with the
	// system scope.
	Lookup(ctx context.Context, hash []byte) (model.Token, error)
	// Revoke marks a token revoked at the store's clock; revoking twice
	// keeps the first time.
	Revoke(ctx context.Context, id model.TokenID) (model.Token, error)
	// Touch records a use at the store's clock, but writes only when the
	// stored time is older than every, so hot tokens cost no write per
	// request.
	Touch(ctx context.Context, id model.TokenID, every time.Duration) error
}
