package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// AccountList is the answer of GET /v1/accounts.
type AccountList struct {
	Accounts []model.Account `json:"accounts"`
}

// CreateAccountRequest is the body of POST /v1/accounts.
type CreateAccountRequest struct {
	Name string `json:"name"`
}

func (s *Server) listAccounts(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	out := AccountList{Accounts: []model.Account{}}
	err := s.store.View(ctx, func(tx store.Tx) error {
		as, err := tx.Accounts(p.Scope).List(ctx, p.Account.Org)
		out.Accounts = append(out.Accounts, as...)
		return err
	})
	return out, err
}

func (s *Server) getAccount(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (model.Account, error) {
		return tx.Accounts(p.Scope).Get(ctx, model.AccountID(pathID(r)))
	})
}

func (s *Server) createAccount(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	if !p.Account.DelegatedAdmin {
		return nil, forbidden("only the organisation's delegated-admin account creates accounts")
	}
	var req CreateAccountRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return nil, badRequest("name: required, at most 200 bytes")
	}
	ctx := r.Context()
	var a model.Account
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		a, err = tx.Accounts(p.Scope).Create(ctx, model.Account{Org: p.Account.Org, Name: req.Name})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, p.Account.ID, "account.create", string(a.ID), req)
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Header: http.Header{"Location": {"/v1/accounts/" + string(a.ID)}}, Body: a}, nil
}

// audit appends an audit entry for a configuration change of account.
func (s *Server) audit(ctx context.Context, tx store.Tx, p *Principal, account model.AccountID, action, target string, detail any) error {
	var d []byte
	if detail != nil {
		var err error
		if d, err = json.Marshal(detail); err != nil {
			return err
		}
	}
	_, err := tx.Audit(p.Scope).Append(ctx, model.AuditEntry{
		AccountID: account, Actor: string(p.Token.ID), Action: action, Target: target, Detail: d,
	})
	return err
}

// AuditList is the answer of GET /v1/audit.
type AuditList struct {
	Entries []model.AuditEntry `json:"entries"`
	// Next is the cursor of the next page (the after parameter); 0 at the
	// end.
	Next int64 `json:"next,omitempty"`
}

func (s *Server) listAudit(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	after, err := intParam(q, "after", 0, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	out := AuditList{Entries: []model.AuditEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		es, err := tx.Audit(p.Scope).List(ctx, after, int(limit))
		out.Entries = append(out.Entries, es...)
		return err
	})
	if n := len(out.Entries); n == int(limit) {
		out.Next = out.Entries[n-1].ID
	}
	return out, err
}
