package sqlstore

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type tokens struct {
	t  *tx
	sc store.Scope
}

const tokenCols = `id, account_id, name, role, hash, created_at, expires_at, last_used_at, revoked_at`

func scanToken(r Row) (model.Token, error) {
	var t model.Token
	var created, expires, used, revoked int64
	err := r.Scan(&t.ID, &t.AccountID, &t.Name, &t.Role, &t.Hash, &created, &expires, &used, &revoked)
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromMicro(created), fromMicro(expires), fromMicro(used), fromMicro(revoked)
	return t, err
}

func (s *tokens) Create(ctx context.Context, t model.Token) (model.Token, error) {
	if err := s.t.writable(); err != nil {
		return t, err
	}
	if err := checkScope(s.sc, "token", t.AccountID); err != nil {
		return t, err
	}
	if len(t.Hash) != 32 {
		return t, &store.InvalidError{Field: "hash", Reason: "want a 32-byte SHA-256"}
	}
	if !t.Role.Valid() {
		return t, &store.InvalidError{Field: "role", Reason: "unknown role " + string(t.Role)}
	}
	if t.ID == "" {
		t.ID = model.TokenID(store.NewID("tok"))
	}
	t.CreatedAt = s.t.s.now()
	t.LastUsedAt, t.RevokedAt = time.Time{}, time.Time{}
	err := s.t.execGuarded(ctx, `INSERT INTO tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)`,
		string(t.ID), string(t.AccountID), t.Name, string(t.Role), t.Hash, micro(t.CreatedAt), micro(t.ExpiresAt))
	if err != nil && s.t.s.d.IsUnique(err) {
		return t, &store.ConflictError{Kind: "token", ID: string(t.ID), Reason: "duplicate id or secret"}
	}
	if err != nil && s.t.s.d.IsForeignKey(err) {
		return t, &store.NotFoundError{Kind: "account", ID: string(t.AccountID)}
	}
	return t, err
}

func (s *tokens) Get(ctx context.Context, id model.TokenID) (model.Token, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	t, err := scanToken(s.t.c.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`+cond, args...))
	return t, notFound(err, "token", string(id))
}

func (s *tokens) List(ctx context.Context) ([]model.Token, error) {
	cond, args := scopeCond(s.sc, "account_id", nil)
	rows, err := s.t.c.Query(ctx, `SELECT `+tokenCols+` FROM tokens WHERE 1 = 1`+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *tokens) Lookup(ctx context.Context, hash []byte) (model.Token, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{hash})
	t, err := scanToken(s.t.c.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`+cond, args...))
	return t, notFound(err, "token", hex.EncodeToString(hash))
}

func (s *tokens) Revoke(ctx context.Context, id model.TokenID) (model.Token, error) {
	if err := s.t.writable(); err != nil {
		return model.Token{}, err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{micro(s.t.s.now()), string(id)})
	if _, err := s.t.c.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE revoked_at = 0 AND id = ?`+cond, args...); err != nil {
		return model.Token{}, err
	}
	return s.Get(ctx, id)
}

func (s *tokens) Touch(ctx context.Context, id model.TokenID, every time.Duration) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	now := s.t.s.now()
	cond, args := scopeCond(s.sc, "account_id", []any{micro(now), string(id), micro(now.Add(-every))})
	n, err := s.t.c.Exec(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND last_used_at <= ?`+cond, args...)
	if err != nil || n > 0 {
		return err
	}
	_, err = s.Get(ctx, id) // distinguish "recent enough" from "not found"
	return err
}
