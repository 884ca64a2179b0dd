package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type rules struct {
	t  *tx
	sc store.Scope
}

func (t *tx) SuppressionRules(sc store.Scope) store.SuppressionRuleStore { return &rules{t: t, sc: sc} }

const ruleCols = `id, account_id, name, description, action, reason, owner, filter, expires_at, created_at, updated_at`

func (s *rules) scan(r Row) (model.SuppressionRule, error) {
	var x model.SuppressionRule
	var filter []byte
	var exp, created, updated int64
	if err := r.Scan(&x.ID, &x.AccountID, &x.Name, &x.Description, &x.Action, &x.Reason, &x.Owner, &filter,
		&exp, &created, &updated); err != nil {
		return x, err
	}
	if err := json.Unmarshal(filter, &x.Filter); err != nil {
		return x, fmt.Errorf("suppression rule %s: filter: %w", x.ID, err)
	}
	x.ExpiresAt, x.CreatedAt, x.UpdatedAt = fromMicro(exp), fromMicro(created), fromMicro(updated)
	x.State = x.StateAt(s.t.s.now())
	return x, nil
}

// checkRule validates a rule's fields.
func checkRule(r *model.SuppressionRule) error {
	switch {
	case r.Name == "" || len(r.Name) > 128 || !utf8.ValidString(r.Name):
		return &store.InvalidError{Field: "name", Reason: "must be 1 to 128 bytes of UTF-8"}
	case r.Action != model.ActionSuppress && r.Action != model.ActionNone:
		return &store.InvalidError{Field: "action", Reason: fmt.Sprintf("unknown action %q (want SUPPRESS or NONE)", r.Action)}
	case len(r.Description) > 1024 || len(r.Reason) > 1024 || len(r.Owner) > 256:
		return &store.InvalidError{Field: "description", Reason: "description and reason at most 1024 bytes, owner 256"}
	}
	if r.Filter.Empty() {
		return &store.InvalidError{Field: "filterCriteria", Reason: "empty: a rule must select something"}
	}
	return r.Filter.Validate()
}

func (s *rules) Create(ctx context.Context, r model.SuppressionRule) (model.SuppressionRule, error) {
	if err := s.t.writable(); err != nil {
		return r, err
	}
	if err := checkScope(s.sc, "suppression rule", r.AccountID); err != nil {
		return r, err
	}
	if err := checkRule(&r); err != nil {
		return r, err
	}
	filter, err := json.Marshal(&r.Filter)
	if err != nil {
		return r, err
	}
	if r.ID == "" {
		r.ID = model.SuppressionRuleID(store.NewID("sup"))
	}
	now := s.t.s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	r.ExpiresAt = r.ExpiresAt.UTC().Truncate(time.Microsecond)
	err = s.t.execGuarded(ctx, `INSERT INTO suppression_rules (`+ruleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.ID), string(r.AccountID), r.Name, r.Description, string(r.Action), r.Reason, r.Owner, filter,
		micro(r.ExpiresAt), micro(now), micro(now))
	if err != nil {
		switch {
		case s.t.s.d.IsUnique(err):
			return r, &store.ConflictError{Kind: "suppression rule", ID: r.Name, Reason: "a rule of that name exists"}
		case s.t.s.d.IsForeignKey(err):
			return r, &store.NotFoundError{Kind: "account", ID: string(r.AccountID)}
		}
		return r, err
	}
	r.State = r.StateAt(now)
	return r, nil
}

func (s *rules) Get(ctx context.Context, id model.SuppressionRuleID) (model.SuppressionRule, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	r, err := s.scan(s.t.c.QueryRow(ctx, `SELECT `+ruleCols+` FROM suppression_rules WHERE id = ?`+cond, args...))
	return r, notFound(err, "suppression rule", string(id))
}

func (s *rules) Update(ctx context.Context, r model.SuppressionRule) (model.SuppressionRule, error) {
	if err := s.t.writable(); err != nil {
		return r, err
	}
	old, err := s.Get(ctx, r.ID)
	if err != nil {
		return r, err
	}
	if err := checkRule(&r); err != nil {
		return r, err
	}
	filter, err := json.Marshal(&r.Filter)
	if err != nil {
		return r, err
	}
	now := s.t.s.now()
	r.AccountID, r.CreatedAt, r.UpdatedAt = old.AccountID, old.CreatedAt, now
	r.ExpiresAt = r.ExpiresAt.UTC().Truncate(time.Microsecond)
	err = s.t.execGuarded(ctx, `UPDATE suppression_rules SET name = ?, description = ?, action = ?, reason = ?, owner = ?, filter = ?, expires_at = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.Description, string(r.Action), r.Reason, r.Owner, filter, micro(r.ExpiresAt), micro(now), string(r.ID))
	if err != nil {
		if s.t.s.d.IsUnique(err) {
			return r, &store.ConflictError{Kind: "suppression rule", ID: r.Name, Reason: "a rule of that name exists"}
		}
		return r, err
	}
	r.State = r.StateAt(now)
	return r, nil
}

func (s *rules) Delete(ctx context.Context, id model.SuppressionRuleID) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	n, err := s.t.c.Exec(ctx, `DELETE FROM suppression_rules WHERE id = ?`+cond, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return &store.NotFoundError{Kind: "suppression rule", ID: string(id)}
	}
	return nil
}

func (s *rules) List(ctx context.Context, after model.SuppressionRuleID, limit int) ([]model.SuppressionRule, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	cond, args := scopeCond(s.sc, "account_id", []any{string(after)})
	args = append(args, limit)
	rows, err := s.t.c.Query(ctx, `SELECT `+ruleCols+` FROM suppression_rules WHERE id > ?`+cond+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.SuppressionRule
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
