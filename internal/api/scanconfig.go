package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// KindScanConfig is the job that applies an account's scan configuration
// to its resources' coverage after a change (the server's maintenance loop
// also applies every account's, for tag changes and expiring windows).
const KindScanConfig model.JobKind = "scanconfig.apply"

// ScanConfigPayload is the payload of a KindScanConfig job.
type ScanConfigPayload struct {
	AccountID model.AccountID `json:"accountId"`
}

// getScanConfig answers GET /v1/scan-configuration[?accountId=]: the
// account's configuration (the default one, "default": true, when it
// stored none).
func (s *Server) getScanConfig(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	acct, err := accountFor(p, model.AccountID(r.URL.Query().Get("accountId")))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (model.ScanConfig, error) {
		return tx.ScanConfigs(p.Scope).Get(ctx, acct)
	})
}

// putScanConfig answers PUT /v1/scan-configuration[?accountId=]: the body
// replaces the account's configuration (omitted fields take their
// defaults; "resourceTypes": [] scans no type). The change is audited and
// queued to be applied to the account's resources.
func (s *Server) putScanConfig(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var c model.ScanConfig
	if err := decodeJSON(r, MaxJSONBody, &c); err != nil {
		return nil, err
	}
	named := model.AccountID(r.URL.Query().Get("accountId"))
	if named != "" && c.AccountID != "" && named != c.AccountID {
		return nil, badRequest("accountId: the query names %s and the body %s", named, c.AccountID)
	}
	if named == "" {
		named = c.AccountID
	}
	acct, err := accountFor(p, named)
	if err != nil {
		return nil, err
	}
	c.AccountID, c.UpdatedBy = acct, string(p.Token.ID)
	if err := c.Normalize(); err != nil {
		return nil, badRequest("%v", err)
	}
	ctx := r.Context()
	var out model.ScanConfig
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		prev, err := tx.ScanConfigs(p.Scope).Get(ctx, acct)
		if err != nil {
			return err
		}
		if out, err = tx.ScanConfigs(p.Scope).Put(ctx, c); err != nil {
			return err
		}
		detail := map[string]model.ScanConfig{"previous": prev, "current": out}
		if err := s.audit(ctx, tx, p, acct, "scanconfig.update", string(acct), detail); err != nil {
			return err
		}
		return enqueueScanConfig(ctx, tx, acct)
	})
	if err != nil {
		return nil, err
	}
	s.notify()
	return out, nil
}

// enqueueScanConfig queues the application of acct's configuration
// (collapsing with a queued one).
func enqueueScanConfig(ctx context.Context, tx store.Tx, acct model.AccountID) error {
	payload, err := json.Marshal(ScanConfigPayload{AccountID: acct})
	if err != nil {
		return err
	}
	_, _, err = tx.Jobs().Enqueue(ctx, model.Job{
		Kind: KindScanConfig, AccountID: acct, Payload: payload, DedupeKey: "scanconfig:" + string(acct), Priority: 20,
	})
	return err
}
