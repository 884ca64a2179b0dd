package api

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// AgentAuth routes authenticate the caller themselves with an agent
// credential or an enrollment token (not an API token); the router's
// guard passes them through. It sorts below Read so that the access
// checks of API tokens never apply to them.
const AgentAuth Access = -1

// CreateEnrollmentTokenRequest is the body of POST
// /v1/agents/enrollment-tokens.
type CreateEnrollmentTokenRequest struct {
	Name string `json:"name"`
	// MaxUses bounds the agents enrolled with the token (0 = unbounded).
	MaxUses   int             `json:"maxUses,omitempty"`
	ExpiresAt time.Time       `json:"expiresAt,omitzero"`
	AccountID model.AccountID `json:"accountId,omitempty"`
}

// CreatedEnrollmentToken is the answer of POST
// /v1/agents/enrollment-tokens; Secret is shown only here.
type CreatedEnrollmentToken struct {
	store.EnrollmentToken
	Secret string `json:"secret"`
}

// EnrollmentTokenList is the answer of GET /v1/agents/enrollment-tokens.
type EnrollmentTokenList struct {
	Tokens []store.EnrollmentToken `json:"tokens"`
}

// EnrollRequest is the body of POST /v1/agent/enroll (authenticated with
// an enrollment token).
type EnrollRequest struct {
	// Hostname names the HOST resource the agent reports for.
	Hostname string            `json:"hostname"`
	Version  string            `json:"version,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// Enrolled is the answer of POST /v1/agent/enroll. Credential is the
// agent's own secret, shown only here; the server keeps its hash.
type Enrolled struct {
	AgentID    string           `json:"agentId"`
	ResourceID model.ResourceID `json:"resourceId"`
	Credential string           `json:"credential"`
}

// AgentList is the answer of GET /v1/agents.
type AgentList struct {
	Agents []store.Agent `json:"agents"`
}

// AgentView is the answer of GET /v1/agents/{id}: the agent and its last
// report.
type AgentView struct {
	store.Agent
	State *AgentState `json:"state,omitempty"`
}

// bearer returns the request's bearer secret, or a 401.
func bearer(r *http.Request) (string, error) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return "", unauthenticated("missing or malformed agent credential (Authorization: Bearer <credential>)")
	}
	return secret, nil
}

func (s *Server) createEnrollmentToken(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req CreateEnrollmentTokenRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return nil, badRequest("name: required, at most 200 bytes")
	}
	if req.MaxUses < 0 {
		return nil, badRequest("maxUses: must not be negative")
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
	var t store.EnrollmentToken
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		t, err = tx.Agents(p.Scope).CreateEnrollmentToken(ctx, store.EnrollmentToken{
			AccountID: acct, Name: req.Name, Hash: store.HashToken(secret), MaxUses: req.MaxUses, ExpiresAt: req.ExpiresAt,
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, acct, "enrollment-token.create", t.ID, map[string]any{"name": t.Name, "maxUses": t.MaxUses})
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Body: CreatedEnrollmentToken{EnrollmentToken: t, Secret: secret}}, nil
}

func (s *Server) listEnrollmentTokens(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	return viewValue(r.Context(), s.store, func(tx store.Tx) (EnrollmentTokenList, error) {
		ts, err := tx.Agents(p.Scope).EnrollmentTokens(r.Context())
		return EnrollmentTokenList{Tokens: append([]store.EnrollmentToken{}, ts...)}, err
	})
}

func (s *Server) revokeEnrollmentToken(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	var t store.EnrollmentToken
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if t, err = tx.Agents(p.Scope).RevokeEnrollmentToken(ctx, pathID(r)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, t.AccountID, "enrollment-token.revoke", t.ID, nil)
	})
	return t, err
}

func (s *Server) listAgents(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	return viewValue(r.Context(), s.store, func(tx store.Tx) (AgentList, error) {
		as, err := tx.Agents(p.Scope).List(r.Context())
		return AgentList{Agents: append([]store.Agent{}, as...)}, err
	})
}

func (s *Server) getAgent(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (AgentView, error) {
		a, err := tx.Agents(p.Scope).Get(ctx, pathID(r))
		if err != nil {
			return AgentView{}, err
		}
		v := AgentView{Agent: a}
		ra, data, err := tx.Agents(p.Scope).Report(ctx, a.ResourceID)
		var nf *store.NotFoundError
		switch {
		case errors.As(err, &nf) || err == nil && ra.ID != a.ID:
			return v, nil
		case err != nil:
			return v, err
		}
		var st AgentState
		if err := json.Unmarshal(data, &st); err != nil {
			return v, err
		}
		v.State = &st
		return v, nil
	})
}

func (s *Server) revokeAgent(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	var a store.Agent
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if a, err = tx.Agents(p.Scope).Revoke(ctx, pathID(r)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, a.AccountID, "agent.revoke", a.ID, nil)
	})
	return a, err
}

func (s *Server) enrollAgent(r *http.Request) (any, error) {
	secret, err := bearer(r)
	if err != nil {
		return nil, err
	}
	var req EnrollRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	host, err := checkName(req.Hostname)
	if err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags); err != nil {
		return nil, err
	}
	ctx := r.Context()
	cred := store.NewToken()
	var out Enrolled
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.Agents(store.SystemScope()).LookupEnrollmentToken(ctx, store.HashToken(secret))
		var nf *store.NotFoundError
		if errors.As(err, &nf) {
			return unauthenticated("unknown enrollment token")
		}
		if err != nil {
			return err
		}
		if !t.Usable(s.now()) {
			return unauthenticated("enrollment token revoked, expired or used up")
		}
		sc := store.AccountScope(t.AccountID)
		tags, err := keepTags(ctx, tx, sc, t.AccountID, host, req.Tags)
		if err != nil {
			return err
		}
		res, ur, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: t.AccountID, Type: model.ResourceHost, Name: host, Tags: tags})
		if err != nil {
			return err
		}
		if ur.Created {
			if err := appendEvent(ctx, tx, sc, res, "resource.registered"); err != nil {
				return err
			}
		}
		a, err := tx.Agents(sc).Enroll(ctx, t.ID, store.Agent{AccountID: t.AccountID, Hostname: host, ResourceID: res.ID,
			Hash: store.HashToken(cred), Version: req.Version})
		var ie *store.InvalidError
		if errors.As(err, &ie) {
			return unauthenticated("enrollment token revoked, expired or used up")
		}
		if err != nil {
			return err
		}
		out = Enrolled{AgentID: a.ID, ResourceID: res.ID, Credential: cred}
		_, err = tx.Audit(sc).Append(ctx, model.AuditEntry{AccountID: t.AccountID, Actor: "enrollment-token:" + t.ID,
			Action: "agent.enroll", Target: a.ID, Detail: mustJSON(map[string]string{"hostname": host, "resourceId": string(res.ID)})})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Body: out}, nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// agentRoutes are the routes of agents, enrollment tokens and uploaded
// network models.
func (s *Server) agentRoutes() []Route {
	return []Route{
		{"POST", "/v1/agent/enroll", AgentAuth, s.enrollAgent},
		{"POST", "/v1/agent/report", AgentAuth, s.agentReport},
		{"GET", "/v1/agents", Read, s.listAgents},
		{"GET", "/v1/agents/{id}", Read, s.getAgent},
		{"DELETE", "/v1/agents/{id}", Admin, s.revokeAgent},
		{"GET", "/v1/agent-enrollment-tokens", Read, s.listEnrollmentTokens},
		{"POST", "/v1/agent-enrollment-tokens", Admin, s.createEnrollmentToken},
		{"DELETE", "/v1/agent-enrollment-tokens/{id}", Admin, s.revokeEnrollmentToken},
		{"POST", "/v1/network-models/aws", Write, s.uploadAWSModel},
	}
}

// keepTags returns the tags of the existing HOST resource name (if any)
// with add laid over them: registering a host again never drops the
// tags users gave it.
func keepTags(ctx context.Context, tx store.Tx, sc store.Scope, acct model.AccountID, name string, add map[string]string) (map[string]string, error) {
	old, err := tx.Resources(sc).Find(ctx, acct, model.ResourceHost, name)
	var nf *store.NotFoundError
	switch {
	case errors.As(err, &nf):
		return add, nil
	case err != nil:
		return nil, err
	}
	out := maps.Clone(old.Tags)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, add)
	return out, nil
}
