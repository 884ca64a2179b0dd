package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// TokenList is the answer of GET /v1/tokens.
type TokenList struct {
	Tokens []model.Token `json:"tokens"`
}

// CreateTokenRequest is the body of POST /v1/tokens.
type CreateTokenRequest struct {
	Name string     `json:"name"`
	Role model.Role `json:"role"`
	// AccountID is the account the token acts for; the caller's when
	// empty (a delegated admin may name a member account).
	AccountID model.AccountID `json:"accountId,omitempty"`
	// ExpiresAt, when set, ends the token's validity.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// CreatedToken is the answer of POST /v1/tokens: the only time the secret
// is shown.
type CreatedToken struct {
	Token  model.Token `json:"token"`
	Secret string      `json:"secret"`
}

func (s *Server) listTokens(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	out := TokenList{Tokens: []model.Token{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		ts, err := tx.Tokens(p.Scope).List(ctx)
		out.Tokens = append(out.Tokens, ts...)
		return err
	})
	return out, err
}

func (s *Server) getToken(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	var t model.Token
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		t, err = tx.Tokens(p.Scope).Get(ctx, model.TokenID(pathID(r)))
		return err
	})
	return t, err
}

func (s *Server) createToken(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req CreateTokenRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return nil, badRequest("name: required, at most 200 bytes")
	}
	if req.Role == "" {
		req.Role = model.RoleMember
	}
	if !req.Role.Valid() {
		return nil, badRequest("role %q: want admin, member or read-only", req.Role)
	}
	if !req.ExpiresAt.IsZero() && !req.ExpiresAt.After(s.now()) {
		return nil, badRequest("expiresAt: must be in the future")
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	secret := store.NewToken()
	ctx := r.Context()
	var t model.Token
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		t, err = tx.Tokens(p.Scope).Create(ctx, model.Token{
			AccountID: acct, Name: req.Name, Role: req.Role, Hash: store.HashToken(secret), ExpiresAt: req.ExpiresAt,
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, acct, "token.create", string(t.ID), map[string]any{"name": t.Name, "role": t.Role})
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Header: http.Header{"Location": {"/v1/tokens/" + string(t.ID)}},
		Body: CreatedToken{Token: t, Secret: secret}}, nil
}

func (s *Server) revokeToken(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	var t model.Token
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if t, err = tx.Tokens(p.Scope).Revoke(ctx, model.TokenID(pathID(r))); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, t.AccountID, "token.revoke", string(t.ID), nil)
	})
	return t, err
}
