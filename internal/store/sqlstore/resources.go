package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type resources struct {
	t  *tx
	sc store.Scope
}

const resourceCols = `id, account_id, type, name, digest, tags, coverage_status, coverage_reason, last_scanned_at, created_at, updated_at`

func scanResource(r Row) (model.Resource, error) {
	var res model.Resource
	var tags string
	var scanned, created, updated int64
	err := r.Scan(&res.ID, &res.AccountID, &res.Type, &res.Name, &res.Digest, &tags,
		&res.Coverage.Status, &res.Coverage.Reason, &scanned, &created, &updated)
	if err != nil {
		return res, err
	}
	if tags != "" && tags != "{}" {
		if err := json.Unmarshal([]byte(tags), &res.Tags); err != nil {
			return res, fmt.Errorf("resource %s: tags: %w", res.ID, err)
		}
	}
	res.Coverage.LastScannedAt, res.CreatedAt, res.UpdatedAt = fromMicro(scanned), fromMicro(created), fromMicro(updated)
	return res, nil
}

func encodeTags(tags map[string]string) (string, error) {
	if len(tags) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(tags) // map keys are sorted: stable
	return string(b), err
}

func (s *resources) Upsert(ctx context.Context, r model.Resource) (model.Resource, store.UpsertResult, error) {
	return s.upsert(ctx, r, true)
}

// upsert finds then inserts or updates; when a concurrent transaction
// inserted the same resource in between (PostgreSQL), it retries once as
// an update.
func (s *resources) upsert(ctx context.Context, r model.Resource, retry bool) (model.Resource, store.UpsertResult, error) {
	var res store.UpsertResult
	callerID := r.ID
	if err := s.t.writable(); err != nil {
		return r, res, err
	}
	if err := checkScope(s.sc, "resource", r.AccountID); err != nil {
		return r, res, err
	}
	if !r.Type.Valid() {
		return r, res, &store.InvalidError{Field: "type", Reason: "unknown resource type " + string(r.Type)}
	}
	if r.Name == "" {
		return r, res, &store.InvalidError{Field: "name", Reason: "empty"}
	}
	old, err := s.Find(ctx, r.AccountID, r.Type, r.Name)
	var nf *store.NotFoundError
	switch {
	case err == nil:
	case asNotFound(err, &nf):
		old = model.Resource{}
	default:
		return r, res, err
	}
	now := s.t.s.now()
	tags, err := encodeTags(r.Tags)
	if err != nil {
		return r, res, err
	}
	if old.ID == "" {
		res.Created = true
		if r.ID == "" {
			r.ID = model.ResourceID(store.NewID("res"))
		}
		if r.Coverage.Status == "" {
			r.Coverage = model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonPendingInitialScan}
		}
		r.CreatedAt, r.UpdatedAt = now, now
		err = s.t.execGuarded(ctx, `INSERT INTO resources (`+resourceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(r.ID), string(r.AccountID), string(r.Type), r.Name, r.Digest, tags,
			string(r.Coverage.Status), string(r.Coverage.Reason), micro(r.Coverage.LastScannedAt), micro(now), micro(now))
		if err != nil {
			if s.t.s.d.IsUnique(err) && retry && callerID == "" {
				r.ID = ""
				return s.upsert(ctx, r, false)
			}
			if s.t.s.d.IsUnique(err) {
				return r, res, &store.ConflictError{Kind: "resource", ID: string(r.ID), Reason: "exists"}
			}
			if s.t.s.d.IsForeignKey(err) {
				return r, res, &store.NotFoundError{Kind: "account", ID: string(r.AccountID)}
			}
			return r, res, err
		}
		return r, res, s.writeTags(ctx, r.AccountID, r.ID, r.Tags)
	}
	res.DigestChanged = r.Digest != "" && r.Digest != old.Digest
	digest := old.Digest
	if r.Digest != "" {
		digest = r.Digest
	}
	if _, err := s.t.c.Exec(ctx, `UPDATE resources SET digest = ?, tags = ?, updated_at = ? WHERE id = ?`,
		digest, tags, micro(now), string(old.ID)); err != nil {
		return r, res, err
	}
	if !maps.Equal(old.Tags, r.Tags) {
		if err := s.writeTags(ctx, old.AccountID, old.ID, r.Tags); err != nil {
			return r, res, err
		}
	}
	old.Digest, old.Tags, old.UpdatedAt = digest, r.Tags, now
	if len(old.Tags) == 0 {
		old.Tags = nil
	}
	return old, res, nil
}

func (s *resources) writeTags(ctx context.Context, acct model.AccountID, id model.ResourceID, tags map[string]string) error {
	if _, err := s.t.c.Exec(ctx, `DELETE FROM resource_tags WHERE resource_id = ?`, string(id)); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if _, err := s.t.c.Exec(ctx, `INSERT INTO resource_tags (account_id, resource_id, key, value) VALUES (?, ?, ?, ?)`,
			string(acct), string(id), k, tags[k]); err != nil {
			return err
		}
	}
	return nil
}

func (s *resources) Get(ctx context.Context, id model.ResourceID) (model.Resource, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	r, err := scanResource(s.t.c.QueryRow(ctx, `SELECT `+resourceCols+` FROM resources WHERE id = ?`+cond, args...))
	return r, notFound(err, "resource", string(id))
}

func (s *resources) Find(ctx context.Context, acct model.AccountID, typ model.ResourceType, name string) (model.Resource, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(acct), string(typ), name})
	r, err := scanResource(s.t.c.QueryRow(ctx, `SELECT `+resourceCols+` FROM resources WHERE account_id = ? AND type = ? AND name = ?`+cond, args...))
	return r, notFound(err, "resource", string(typ)+" "+name)
}

func (s *resources) List(ctx context.Context, f store.ResourceFilter) ([]model.Resource, error) {
	q := `SELECT ` + resourceCols + ` FROM resources WHERE id > ?`
	args := []any{string(f.After)}
	if f.Type != "" {
		q += ` AND type = ?`
		args = append(args, string(f.Type))
	}
	if f.Status != "" {
		q += ` AND coverage_status = ?`
		args = append(args, string(f.Status))
	}
	if f.Reason != "" {
		q += ` AND coverage_reason = ?`
		args = append(args, string(f.Reason))
	}
	for _, k := range slices.Sorted(maps.Keys(f.Tags)) {
		q += ` AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_id = resources.id AND t.key = ? AND t.value = ?)`
		args = append(args, k, f.Tags[k])
	}
	cond, args := scopeCond(s.sc, "account_id", args)
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	args = append(args, limit)
	rows, err := s.t.c.Query(ctx, q+cond+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *resources) SetTags(ctx context.Context, id model.ResourceID, tags map[string]string) (model.Resource, error) {
	if err := s.t.writable(); err != nil {
		return model.Resource{}, err
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return r, err
	}
	enc, err := encodeTags(tags)
	if err != nil {
		return r, err
	}
	now := s.t.s.now()
	if _, err := s.t.c.Exec(ctx, `UPDATE resources SET tags = ?, updated_at = ? WHERE id = ?`, enc, micro(now), string(id)); err != nil {
		return r, err
	}
	if err := s.writeTags(ctx, r.AccountID, id, tags); err != nil {
		return r, err
	}
	r.Tags, r.UpdatedAt = tags, now
	if len(r.Tags) == 0 {
		r.Tags = nil
	}
	return r, nil
}

func (s *resources) SetCoverage(ctx context.Context, id model.ResourceID, c model.Coverage) (model.Resource, error) {
	if err := s.t.writable(); err != nil {
		return model.Resource{}, err
	}
	if c.Status != model.CoverageActive && c.Status != model.CoverageInactive {
		return model.Resource{}, &store.InvalidError{Field: "coverage.status", Reason: "unknown status " + string(c.Status)}
	}
	now := s.t.s.now()
	cond, args := scopeCond(s.sc, "account_id", []any{string(c.Status), string(c.Reason), micro(c.LastScannedAt), micro(now), string(id)})
	n, err := s.t.c.Exec(ctx, `UPDATE resources SET coverage_status = ?, coverage_reason = ?, last_scanned_at = ?, updated_at = ? WHERE id = ?`+cond, args...)
	if err != nil {
		return model.Resource{}, err
	}
	if n == 0 {
		return model.Resource{}, &store.NotFoundError{Kind: "resource", ID: string(id)}
	}
	return s.Get(ctx, id)
}

func (s *resources) Delete(ctx context.Context, id model.ResourceID) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	// The package index has no foreign key: its rows and chunks go first,
	// found by the inventory's index_seq; tags and the inventory go by
	// cascade.
	if err := (&inventories{t: s.t, sc: s.sc}).deleteRows(ctx, id); err != nil {
		return err
	}
	n, err := s.t.c.Exec(ctx, `DELETE FROM resources WHERE id = ?`+cond, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return &store.NotFoundError{Kind: "resource", ID: string(id)}
	}
	return nil
}
