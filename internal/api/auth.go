package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Access is what a route requires of the caller.
type Access int

// Access levels, from none to most.
const (
	// Public routes need no token (health, the OpenAPI document).
	Public Access = iota
	// Read routes need any usable token.
	Read
	// Write routes need a member or admin token.
	Write
	// Admin routes need an admin token.
	Admin
)

func (a Access) String() string {
	switch a {
	case Public:
		return "public"
	case Read:
		return "read"
	case Write:
		return "write"
	case Admin:
		return "admin"
	}
	return "unknown"
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Token   model.Token
	Account model.Account
	// Scope is what the token sees: the organisation for a token of the
	// delegated-admin account, else its account.
	Scope store.Scope
}

// Role returns the token's role.
func (p *Principal) Role() model.Role { return p.Token.Role }

type principalKey struct{}

func principalOf(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// mustPrincipal returns the request's principal; routes other than public
// ones always have one (the middleware refuses the request otherwise).
func mustPrincipal(r *http.Request) *Principal {
	p := principalOf(r.Context())
	if p == nil {
		// Never reached through the router; a safe answer if it is.
		return &Principal{}
	}
	return p
}

// touchEvery bounds how often a token's last use is written.
const touchEvery = time.Minute

// authenticate checks the bearer token of r and returns its principal.
func (s *Server) authenticate(r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if h == "" {
		return nil, unauthenticated("missing bearer token (Authorization: Bearer <token>)")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return nil, unauthenticated("malformed Authorization header: want Bearer <token>")
	}
	secret = strings.TrimSpace(secret)
	ctx := r.Context()
	var p Principal
	err := s.store.View(ctx, func(tx store.Tx) error {
		t, err := tx.Tokens(store.SystemScope()).Lookup(ctx, store.HashToken(secret))
		if err != nil {
			return err
		}
		if !t.Usable(s.now()) {
			return unauthenticated("token revoked or expired")
		}
		a, err := tx.Accounts(store.SystemScope()).Get(ctx, t.AccountID)
		if err != nil {
			return err
		}
		sc, err := tx.Accounts(store.SystemScope()).ScopeOf(ctx, t.AccountID)
		if err != nil {
			return err
		}
		p = Principal{Token: t, Account: a, Scope: sc}
		return nil
	})
	var nf *store.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, unauthenticated("unknown token")
	case err != nil:
		return nil, err
	}
	if !p.Token.LastUsedAt.IsZero() && s.now().Sub(p.Token.LastUsedAt) < touchEvery {
		return &p, nil
	}
	if err := s.store.InTx(ctx, func(tx store.Tx) error {
		return tx.Tokens(p.Scope).Touch(ctx, p.Token.ID, touchEvery)
	}); err != nil {
		s.log.Warn("cannot record a token's use", "token", p.Token.ID, "err", err)
	}
	return &p, nil
}

// guard wraps h with authentication and the access check of a route.
func (s *Server) guard(access Access, h HandlerFunc) HandlerFunc {
	if access == Public || access == AgentAuth {
		return h // AgentAuth handlers check their own credential
	}
	return func(r *http.Request) (any, error) {
		p, err := s.authenticate(r)
		if err != nil {
			return nil, err
		}
		switch {
		case access >= Write && p.Role() == model.RoleReadOnly:
			return nil, forbidden("a read-only token cannot change anything")
		case access >= Admin && p.Role() != model.RoleAdmin:
			return nil, forbidden("an admin token is required")
		}
		if st, ok := r.Context().Value(reqStateKey{}).(*reqState); ok {
			st.principal = p
		}
		return h(r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// accountFor returns the account a write is for: the one named (which must be
// in the principal's scope) or the principal's own.
func accountFor(p *Principal, named model.AccountID) (model.AccountID, error) {
	if named == "" || named == p.Account.ID {
		return p.Account.ID, nil
	}
	if !p.Scope.Allows(named) {
		return "", notFound("account", string(named))
	}
	return named, nil
}
