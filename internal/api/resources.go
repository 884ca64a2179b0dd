package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/source/sbom"
	"github.com/vigilsec/vigil/internal/store"
)

// ResourceView is a resource as the API shows it.
type ResourceView struct {
	model.Resource
	// Inventory describes the stored inventory (single-resource answers
	// only); absent before the first scan.
	Inventory *InventorySummary `json:"inventory,omitempty"`
}

// InventorySummary describes a stored inventory.
type InventorySummary struct {
	Hash      string    `json:"hash"`
	Packages  int       `json:"packages"`
	IndexedAt time.Time `json:"indexedAt"`
	SavedAt   time.Time `json:"savedAt"`
}

// ResourceList is the answer of GET /v1/resources.
type ResourceList struct {
	Resources []model.Resource `json:"resources"`
	// Next is the cursor of the next page (the after parameter); empty at
	// the end.
	Next string `json:"next,omitempty"`
}

// Registered is the answer of the routes that register a resource.
type Registered struct {
	Resource model.Resource `json:"resource"`
	// Created is false when the resource existed (its tags, digest or
	// inventory were updated).
	Created bool `json:"created"`
	// JobID is the scan job queued for the resource.
	JobID model.JobID `json:"jobId"`
}

// RegisterImageRequest is the body of POST /v1/resources/images.
type RegisterImageRequest struct {
	// Reference is the image reference the workers pull
	// (registry/repository:tag or @digest).
	Reference string            `json:"reference"`
	Tags      map[string]string `json:"tags,omitempty"`
	AccountID model.AccountID   `json:"accountId,omitempty"`
}

// PushHostRequest is the body of POST /v1/resources/hosts.
type PushHostRequest struct {
	// Name is the host's stable id.
	Name      string            `json:"name"`
	Tags      map[string]string `json:"tags,omitempty"`
	AccountID model.AccountID   `json:"accountId,omitempty"`
	Inventory *model.Inventory  `json:"inventory"`
}

// TagsRequest is the body of PUT /v1/resources/{id}/tags.
type TagsRequest struct {
	Tags map[string]string `json:"tags"`
}

// limits on tags and names of untrusted input.
const (
	maxTags    = 50
	maxTagLen  = 256
	maxNameLen = 1024
	maxInvPkgs = 200000
)

func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return badRequest("tags: at most %d", maxTags)
	}
	for k, v := range tags {
		if k == "" || len(k) > maxTagLen || len(v) > maxTagLen {
			return badRequest("tags: keys must be 1 to %d bytes and values at most %d", maxTagLen, maxTagLen)
		}
	}
	return nil
}

func checkName(n string) (string, error) {
	n = strings.TrimSpace(n)
	if n == "" || len(n) > maxNameLen {
		return "", badRequest("name: required, at most %d bytes", maxNameLen)
	}
	return n, nil
}

func (s *Server) listResources(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	f := store.ResourceFilter{
		Type:   model.ResourceType(q.Get("type")),
		Status: model.CoverageStatus(q.Get("status")),
		Reason: model.CoverageReason(q.Get("reason")),
		After:  model.ResourceID(q.Get("after")),
	}
	if f.Type != "" && !f.Type.Valid() {
		return nil, badRequest("type %q: want HOST, IMAGE, FUNCTION or SBOM", f.Type)
	}
	var err error
	if f.Tags, err = tagParams(q); err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	f.Limit = int(limit)
	ctx := r.Context()
	out := ResourceList{Resources: []model.Resource{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		rs, err := tx.Resources(p.Scope).List(ctx, f)
		out.Resources = append(out.Resources, rs...)
		return err
	})
	if n := len(out.Resources); n == f.Limit {
		out.Next = string(out.Resources[n-1].ID)
	}
	return out, err
}

func (s *Server) getResource(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	var v ResourceView
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if v.Resource, err = tx.Resources(p.Scope).Get(ctx, model.ResourceID(pathID(r))); err != nil {
			return err
		}
		info, err := tx.Inventories(p.Scope).Info(ctx, v.Resource.ID)
		var nf *store.NotFoundError
		switch {
		case errors.As(err, &nf):
			return nil
		case err != nil:
			return err
		}
		v.Inventory = &InventorySummary{Hash: info.Hash, Packages: info.Packages, IndexedAt: info.IndexedAt, SavedAt: info.SavedAt}
		return nil
	})
	return v, err
}

func (s *Server) getInventory(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	var inv *model.Inventory
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		inv, _, err = tx.Inventories(p.Scope).Load(ctx, model.ResourceID(pathID(r)))
		return err
	})
	return inv, err
}

func (s *Server) setTags(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req TagsRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags); err != nil {
		return nil, err
	}
	ctx := r.Context()
	var res model.Resource
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		if res, err = tx.Resources(p.Scope).SetTags(ctx, model.ResourceID(pathID(r)), req.Tags); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, p, res.AccountID, "resource.tags", string(res.ID), req.Tags); err != nil {
			return err
		}
		// Tags decide coverage (include/exclude filters): apply the
		// account's scan configuration now rather than at the next
		// maintenance round.
		return enqueueScanConfig(ctx, tx, res.AccountID)
	})
	if err != nil {
		return res, err
	}
	s.notify()
	return res, nil
}

func (s *Server) deleteResource(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	id := model.ResourceID(pathID(r))
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		res, err := tx.Resources(p.Scope).Get(ctx, id)
		if err != nil {
			return err
		}
		if _, err := finding.CloseResource(ctx, tx, p.Scope, id, s.now()); err != nil {
			return err
		}
		if err := tx.Resources(p.Scope).Delete(ctx, id); err != nil {
			return err
		}
		return appendEvent(ctx, tx, p.Scope, res, "resource.deleted")
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusOK, Body: map[string]string{"deleted": string(id)}}, nil
}

func (s *Server) registerImage(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req RegisterImageRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	ref, err := checkName(req.Reference)
	if err != nil {
		return nil, err
	}
	if _, err := name.ParseReference(ref); err != nil {
		return nil, badRequest("reference %q: %v", ref, err)
	}
	if err := checkTags(req.Tags); err != nil {
		return nil, err
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	return s.register(r.Context(), p, model.Resource{AccountID: acct, Type: model.ResourceImage, Name: ref, Tags: req.Tags}, nil)
}

func (s *Server) pushHost(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req PushHostRequest
	if err := decodeJSON(r, MaxInventoryBody, &req); err != nil {
		return nil, err
	}
	n, err := checkName(req.Name)
	if err != nil {
		return nil, err
	}
	if err := checkTags(req.Tags); err != nil {
		return nil, err
	}
	if req.Inventory == nil {
		return nil, badRequest("inventory: required")
	}
	if len(req.Inventory.Packages) > maxInvPkgs {
		return nil, badRequest("inventory: at most %d packages", maxInvPkgs)
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	inv := req.Inventory
	inv.Target.Kind, inv.Target.Name = model.TargetHost, n
	if inv.IndexedAt.IsZero() {
		inv.IndexedAt = s.now()
	}
	return s.register(r.Context(), p, model.Resource{AccountID: acct, Type: model.ResourceHost, Name: n, Tags: req.Tags}, inv)
}

// uploadQuery reads the name, tags and account of an upload's query.
func uploadQuery(r *http.Request, p *Principal) (n string, tags map[string]string, acct model.AccountID, err error) {
	q := r.URL.Query()
	if n, err = checkName(q.Get("name")); err != nil {
		return
	}
	if tags, err = tagParams(q); err != nil {
		return
	}
	if err = checkTags(tags); err != nil {
		return
	}
	acct, err = accountFor(p, model.AccountID(q.Get("accountId")))
	return
}

func (s *Server) uploadSBOM(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	n, tags, acct, err := uploadQuery(r, p)
	if err != nil {
		return nil, err
	}
	body := http.MaxBytesReader(nil, r.Body, MaxUploadBody)
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	inv, err := sbom.Read(n, bytes.NewReader(data))
	if err != nil {
		return nil, badRequest("SBOM: %v", err)
	}
	inv.Target.Name, inv.Target.Digest = n, digestOf(data)
	return s.register(r.Context(), p, model.Resource{AccountID: acct, Type: model.ResourceSBOM, Name: n, Tags: tags, Digest: inv.Target.Digest}, inv)
}

func (s *Server) uploadFunction(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	n, tags, acct, err := uploadQuery(r, p)
	if err != nil {
		return nil, err
	}
	if s.index == nil {
		return nil, &Error{Status: http.StatusNotImplemented, Code: CodeNotImplemented, Message: "this server does not index uploads"}
	}
	f, err := os.CreateTemp(s.tempDir, "vigil-upload-*.zip")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), http.MaxBytesReader(nil, r.Body, MaxUploadBody)); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	inv, err := s.index(r.Context(), scan.Request{Kind: model.TargetFunction, Target: f.Name()})
	if err != nil {
		return nil, badRequest("function package: %v", err)
	}
	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))
	inv.Target.Name, inv.Target.Digest = n, digest
	return s.register(r.Context(), p, model.Resource{AccountID: acct, Type: model.ResourceFunction, Name: n, Tags: tags, Digest: digest}, inv)
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// register upserts a resource, stores its inventory when given, and queues
// its scan, in one transaction.
func (s *Server) register(ctx context.Context, p *Principal, res model.Resource, inv *model.Inventory) (any, error) {
	var out Registered
	// Encoded here, not in the grouped transaction, which runs on the
	// store's one writer.
	var enc *store.EncodedInventory
	if inv != nil {
		var err error
		if enc, err = store.EncodeForStage(inv); err != nil {
			return nil, err
		}
	}
	// Grouped: concurrent pushes commit together (fn may run twice; it
	// only assigns out).
	err := s.store.InTxGrouped(ctx, func(tx store.Tx) error {
		got, ur, err := tx.Resources(p.Scope).Upsert(ctx, res)
		if err != nil {
			return err
		}
		out.Resource, out.Created = got, ur.Created
		if enc != nil {
			// Staged: the scan queued below writes its package index, with
			// those of the other scans of its batch.
			if _, err := tx.Inventories(p.Scope).Stage(ctx, got.ID, enc); err != nil {
				return err
			}
		}
		reason := "requested"
		if ur.Created {
			reason = "registered"
			if err := appendEvent(ctx, tx, p.Scope, got, "resource.registered"); err != nil {
				return err
			}
		}
		j, err := enqueueScan(ctx, tx, got, reason)
		out.JobID = j.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	s.notify()
	status := http.StatusOK
	if out.Created {
		status = http.StatusCreated
	}
	return &Response{Status: status, Header: http.Header{"Location": {"/v1/resources/" + string(out.Resource.ID)}}, Body: out}, nil
}

// enqueueScan queues a scan of res in tx (collapsing with a queued one).
func enqueueScan(ctx context.Context, tx store.Tx, res model.Resource, reason string) (model.Job, error) {
	payload, err := json.Marshal(ScanPayload{ResourceID: res.ID, Reason: reason})
	if err != nil {
		return model.Job{}, err
	}
	j, _, err := tx.Jobs().Enqueue(ctx, model.Job{
		Kind: KindScan, AccountID: res.AccountID, Payload: payload, DedupeKey: "scan:" + string(res.ID), Priority: 10,
	})
	return j, err
}

// appendEvent writes a resource event to the outbox in tx.
func appendEvent(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, typ string) error {
	payload, err := json.Marshal(map[string]any{"resourceId": res.ID, "type": res.Type, "name": res.Name})
	if err != nil {
		return fmt.Errorf("event payload: %w", err)
	}
	return tx.Outbox(sc).Append(ctx, model.Event{AccountID: res.AccountID, Type: typ, Subject: string(res.ID), Payload: payload})
}
