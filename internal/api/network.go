package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/exposure/aws"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// NetworkModelRequest is the body of POST /v1/network-models/aws: the
// directory `vigil network analyze --aws DIR` reads, as a JSON object from
// file name (describe-instances.json, …) to that file's JSON.
type NetworkModelRequest struct {
	// Name names the model; it tags the instances' resources
	// (vigil:network-model).
	Name      string                     `json:"name"`
	AccountID model.AccountID            `json:"accountId,omitempty"`
	Files     map[string]json.RawMessage `json:"files"`
}

// NetworkModelResult is the answer of POST /v1/network-models/aws.
type NetworkModelResult struct {
	Name string `json:"name"`
	// Hosts are the running instances analysed (one HOST resource each,
	// named by instance id); Findings the reachable ranges found.
	Hosts    int           `json:"hosts"`
	Findings int           `json:"findings"`
	Delta    finding.Delta `json:"delta"`
	Warnings []string      `json:"warnings,omitempty"`
}

// networkModelTag marks the resources of an uploaded network model.
const networkModelTag = "vigil:network-model"

// maxModelFiles bounds the files of one uploaded model.
const maxModelFiles = 1000

// uploadAWSModel analyses an uploaded AWS network configuration and
// reconciles each running instance's NETWORK_REACHABILITY findings (a
// HOST resource per instance id, tagged with the model's name). An
// instance that is no longer reachable has its findings closed.
func (s *Server) uploadAWSModel(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req NetworkModelRequest
	if err := decodeJSON(r, MaxInventoryBody, &req); err != nil {
		return nil, err
	}
	n, err := checkName(req.Name)
	if err != nil {
		return nil, err
	}
	if len(req.Files) == 0 || len(req.Files) > maxModelFiles {
		return nil, badRequest("files: 1 to %d describe-*.json files", maxModelFiles)
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	files := make([]aws.File, 0, len(req.Files))
	for name, data := range req.Files {
		if strings.ContainsAny(name, "/\\") {
			return nil, badRequest("files: %q: a file name, not a path", name)
		}
		files = append(files, aws.File{Name: name, Data: data})
	}
	slices.SortFunc(files, func(a, b aws.File) int { return strings.Compare(a.Name, b.Name) })
	imp, err := aws.Parse(files)
	var fe *aws.FileError
	if errors.As(err, &fe) {
		return nil, badRequest("%v", err)
	}
	if err != nil {
		return nil, badRequest("model: %v", err)
	}
	ctx := r.Context()
	res, err := exposure.Analyze(ctx, imp.Model, exposure.Options{})
	if err != nil {
		return nil, err
	}
	out := NetworkModelResult{Name: n, Findings: len(res.Findings), Warnings: append(imp.Warnings, res.Warnings...)}
	by := res.ByResource()
	addrs := hostAddresses(imp.Model)
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		out.Delta = finding.Delta{}
		for _, h := range imp.Model.Hosts {
			if !h.Running {
				continue
			}
			d, skipped, err := s.reconcileHost(ctx, tx, p, acct, n, h, addrs[h.ID], by[h.ID])
			if err != nil {
				return err
			}
			if skipped {
				out.Warnings = append(out.Warnings, "instance "+h.ID+": its resource has a package inventory (an agent or a pushed host); network-model findings are not reconciled into it")
				continue
			}
			out.Hosts++
			addDelta(&out.Delta, d)
		}
		return s.audit(ctx, tx, p, acct, "network-model.upload", n, map[string]int{"hosts": out.Hosts, "findings": out.Findings})
	})
	return out, err
}

// reconcileHost upserts an instance's resource and reconciles its
// network findings; skipped is true when the resource holds a package
// inventory, whose findings a network-only reconciliation would close.
func (s *Server) reconcileHost(ctx context.Context, tx store.Tx, p *Principal, acct model.AccountID, modelName string, h exposure.Host, addrs string, obs []model.Observation) (d finding.Delta, skipped bool, err error) {
	tags := map[string]string{networkModelTag: modelName}
	if addrs != "" {
		tags[addressesTag] = addrs // probe results find the host by them
	}
	if h.Name != "" {
		tags["Name"] = h.Name
	}
	if tags, err = keepTags(ctx, tx, p.Scope, acct, h.ID, tags); err != nil {
		return d, false, err
	}
	res, ur, err := tx.Resources(p.Scope).Upsert(ctx, model.Resource{AccountID: acct, Type: model.ResourceHost, Name: h.ID, Tags: tags})
	if err != nil {
		return d, false, err
	}
	if ur.Created {
		if err := appendEvent(ctx, tx, p.Scope, res, "resource.registered"); err != nil {
			return d, false, err
		}
	} else {
		_, err := tx.Inventories(p.Scope).Info(ctx, res.ID)
		var nf *store.NotFoundError
		switch {
		case err == nil:
			return d, true, nil
		case !errors.As(err, &nf):
			return d, false, err
		}
	}
	d, err = finding.Reconcile(ctx, tx, p.Scope, res, store.NewID("scan"), "", obs, s.now())
	return d, false, err
}

func addDelta(a *finding.Delta, b finding.Delta) {
	a.Created += b.Created
	a.Updated += b.Updated
	a.Reopened += b.Reopened
	a.Closed += b.Closed
	a.Unchanged += b.Unchanged
	a.Events += b.Events
}
