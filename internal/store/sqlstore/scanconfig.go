package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// ScanConfigs implements store.Tx.
func (t *tx) ScanConfigs(sc store.Scope) store.ScanConfigStore { return &scanConfigs{t: t, sc: sc} }

type scanConfigs struct {
	t  *tx
	sc store.Scope
}

const scanConfigCols = `account_id, resource_types, mode, include_tags, exclude_tags, image_rescan_duration, updated_at, updated_by`

func scanScanConfig(r Row) (model.ScanConfig, error) {
	var c model.ScanConfig
	var types, incl, excl string
	var updated int64
	if err := r.Scan(&c.AccountID, &types, &c.Mode, &incl, &excl, &c.ImageRescanDuration, &updated, &c.UpdatedBy); err != nil {
		return c, err
	}
	for _, f := range []struct {
		col string
		dst any
	}{{types, &c.ResourceTypes}, {incl, &c.IncludeTags}, {excl, &c.ExcludeTags}} {
		if err := json.Unmarshal([]byte(f.col), f.dst); err != nil {
			return c, fmt.Errorf("scan configuration of %s: %w", c.AccountID, err)
		}
	}
	c.UpdatedAt = fromMicro(updated)
	return c, nil
}

func (s *scanConfigs) Get(ctx context.Context, acct model.AccountID) (model.ScanConfig, error) {
	if err := checkScope(s.sc, "scan configuration", acct); err != nil {
		return model.ScanConfig{}, err
	}
	c, err := scanScanConfig(s.t.c.QueryRow(ctx, `SELECT `+scanConfigCols+` FROM scan_configs WHERE account_id = ?`, string(acct)))
	if errors.Is(err, ErrNoRows) {
		return model.DefaultScanConfig(acct), nil
	}
	return c, err
}

func (s *scanConfigs) Put(ctx context.Context, c model.ScanConfig) (model.ScanConfig, error) {
	if err := s.t.writable(); err != nil {
		return c, err
	}
	if err := checkScope(s.sc, "scan configuration", c.AccountID); err != nil {
		return c, err
	}
	if err := c.Normalize(); err != nil {
		return c, &store.InvalidError{Field: "scan configuration", Reason: err.Error()}
	}
	c.Default, c.UpdatedAt = false, s.t.s.now()
	enc := make([]string, 0, 3)
	for _, v := range []any{c.ResourceTypes, c.IncludeTags, c.ExcludeTags} {
		b, err := json.Marshal(v)
		if err != nil {
			return c, err
		}
		enc = append(enc, string(b))
	}
	err := s.t.execGuarded(ctx, `INSERT INTO scan_configs (`+scanConfigCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET resource_types = excluded.resource_types, mode = excluded.mode,
			include_tags = excluded.include_tags, exclude_tags = excluded.exclude_tags,
			image_rescan_duration = excluded.image_rescan_duration, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		string(c.AccountID), enc[0], string(c.Mode), enc[1], enc[2], string(c.ImageRescanDuration), micro(c.UpdatedAt), c.UpdatedBy)
	if err != nil && s.t.s.d.IsForeignKey(err) {
		return c, &store.NotFoundError{Kind: "account", ID: string(c.AccountID)}
	}
	return c, err
}

func (s *scanConfigs) List(ctx context.Context) ([]model.ScanConfig, error) {
	cond, args := scopeCond(s.sc, "account_id", nil)
	rows, err := s.t.c.Query(ctx, `SELECT `+scanConfigCols+` FROM scan_configs WHERE 1 = 1`+cond+` ORDER BY account_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.ScanConfig
	for rows.Next() {
		c, err := scanScanConfig(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *scanConfigs) SetEligibleSince(ctx context.Context, id model.ResourceID, at time.Time) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	res, err := (&resources{t: s.t, sc: s.sc}).Get(ctx, id)
	if err != nil {
		return err
	}
	_, err = s.t.c.Exec(ctx, `INSERT INTO scan_eligibility (resource_id, account_id, since) VALUES (?, ?, ?)
		ON CONFLICT (resource_id) DO UPDATE SET since = excluded.since`, string(id), string(res.AccountID), micro(at))
	return err
}

func (s *scanConfigs) EligibleSince(ctx context.Context, ids []model.ResourceID) (map[model.ResourceID]time.Time, error) {
	out := make(map[model.ResourceID]time.Time, len(ids))
	batch := max(1, s.t.s.d.MaxParams-len(s.sc.Accounts())-1)
	for len(ids) > 0 {
		n := min(batch, len(ids))
		args := make([]any, 0, n)
		for _, id := range ids[:n] {
			args = append(args, string(id))
		}
		cond, args := scopeCond(s.sc, "account_id", args)
		rows, err := s.t.c.Query(ctx, `SELECT resource_id, since FROM scan_eligibility WHERE resource_id IN (`+placeholders(n)+`)`+cond, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id model.ResourceID
			var since int64
			if err := rows.Scan(&id, &since); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = fromMicro(since)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

func (s *scanConfigs) SwapCoverage(ctx context.Context, id model.ResourceID, prev, next model.Coverage) (bool, error) {
	if err := s.t.writable(); err != nil {
		return false, err
	}
	if next.Status != model.CoverageActive && next.Status != model.CoverageInactive {
		return false, &store.InvalidError{Field: "coverage.status", Reason: "unknown status " + string(next.Status)}
	}
	cond, args := scopeCond(s.sc, "account_id", []any{string(next.Status), string(next.Reason), micro(next.LastScannedAt), micro(s.t.s.now()),
		string(id), string(prev.Status), string(prev.Reason)})
	n, err := s.t.c.Exec(ctx, `UPDATE resources SET coverage_status = ?, coverage_reason = ?, last_scanned_at = ?, updated_at = ?
		WHERE id = ? AND coverage_status = ? AND coverage_reason = ?`+cond, args...)
	if err != nil || n > 0 {
		return n > 0, err
	}
	// Nothing changed: a resource out of scope or gone is not found.
	if _, err := (&resources{t: s.t, sc: s.sc}).Get(ctx, id); err != nil {
		return false, err
	}
	return false, nil
}
