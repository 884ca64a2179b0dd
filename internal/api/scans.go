package api

import (
	"net/http"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// ScanRequest is the body of POST /v1/scans.
type ScanRequest struct {
	ResourceID model.ResourceID `json:"resourceId"`
}

// ScanAccepted is the answer of POST /v1/scans.
type ScanAccepted struct {
	ResourceID model.ResourceID `json:"resourceId"`
	JobID      model.JobID      `json:"jobId"`
}

func (s *Server) requestScan(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req ScanRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if req.ResourceID == "" {
		return nil, badRequest("resourceId: required")
	}
	ctx := r.Context()
	var out ScanAccepted
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		res, err := tx.Resources(p.Scope).Get(ctx, req.ResourceID)
		if err != nil {
			return err
		}
		j, err := enqueueScan(ctx, tx, res, "requested")
		out = ScanAccepted{ResourceID: res.ID, JobID: j.ID}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.notify()
	return &Response{Status: http.StatusAccepted, Header: http.Header{"Location": {"/v1/resources/" + string(out.ResourceID)}}, Body: out}, nil
}
