package sqlstore

import (
	"context"
	"encoding/hex"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type agents struct {
	t  *tx
	sc store.Scope
}

const enrollCols = `id, account_id, name, hash, uses, max_uses, created_at, expires_at, revoked_at`

func scanEnroll(r Row) (store.EnrollmentToken, error) {
	var t store.EnrollmentToken
	var created, expires, revoked int64
	err := r.Scan(&t.ID, &t.AccountID, &t.Name, &t.Hash, &t.Uses, &t.MaxUses, &created, &expires, &revoked)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromMicro(created), fromMicro(expires), fromMicro(revoked)
	return t, err
}

const agentCols = `id, account_id, hostname, resource_id, enrollment_token_id, hash, version, created_at, last_seen_at, revoked_at, report_hash, reported_at`

func scanAgent(r Row, extra ...any) (store.Agent, error) {
	var a store.Agent
	var created, seen, revoked, reported int64
	dst := append([]any{&a.ID, &a.AccountID, &a.Hostname, &a.ResourceID, &a.EnrollmentToken, &a.Hash, &a.Version,
		&created, &seen, &revoked, &a.ReportHash, &reported}, extra...)
	err := r.Scan(dst...)
	a.CreatedAt, a.LastSeenAt, a.RevokedAt, a.ReportedAt = fromMicro(created), fromMicro(seen), fromMicro(revoked), fromMicro(reported)
	return a, err
}

func (s *agents) CreateEnrollmentToken(ctx context.Context, t store.EnrollmentToken) (store.EnrollmentToken, error) {
	if err := s.t.writable(); err != nil {
		return t, err
	}
	if err := checkScope(s.sc, "enrollment token", t.AccountID); err != nil {
		return t, err
	}
	if len(t.Hash) != 32 {
		return t, &store.InvalidError{Field: "hash", Reason: "want a 32-byte SHA-256"}
	}
	if t.MaxUses < 0 {
		return t, &store.InvalidError{Field: "maxUses", Reason: "must not be negative"}
	}
	if t.ID == "" {
		t.ID = store.NewID("enr")
	}
	t.CreatedAt, t.Uses, t.RevokedAt = s.t.s.now(), 0, fromMicro(0)
	err := s.t.execGuarded(ctx, `INSERT INTO enrollment_tokens (`+enrollCols+`) VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0)`,
		t.ID, string(t.AccountID), t.Name, t.Hash, t.MaxUses, micro(t.CreatedAt), micro(t.ExpiresAt))
	if err != nil && s.t.s.d.IsUnique(err) {
		return t, &store.ConflictError{Kind: "enrollment token", ID: t.ID, Reason: "duplicate id or secret"}
	}
	if err != nil && s.t.s.d.IsForeignKey(err) {
		return t, &store.NotFoundError{Kind: "account", ID: string(t.AccountID)}
	}
	return t, err
}

func (s *agents) getEnroll(ctx context.Context, id string) (store.EnrollmentToken, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{id})
	t, err := scanEnroll(s.t.c.QueryRow(ctx, `SELECT `+enrollCols+` FROM enrollment_tokens WHERE id = ?`+cond, args...))
	return t, notFound(err, "enrollment token", id)
}

func (s *agents) EnrollmentTokens(ctx context.Context) ([]store.EnrollmentToken, error) {
	cond, args := scopeCond(s.sc, "account_id", nil)
	rows, err := s.t.c.Query(ctx, `SELECT `+enrollCols+` FROM enrollment_tokens WHERE 1 = 1`+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.EnrollmentToken
	for rows.Next() {
		t, err := scanEnroll(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *agents) LookupEnrollmentToken(ctx context.Context, hash []byte) (store.EnrollmentToken, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{hash})
	t, err := scanEnroll(s.t.c.QueryRow(ctx, `SELECT `+enrollCols+` FROM enrollment_tokens WHERE hash = ?`+cond, args...))
	return t, notFound(err, "enrollment token", hex.EncodeToString(hash))
}

func (s *agents) RevokeEnrollmentToken(ctx context.Context, id string) (store.EnrollmentToken, error) {
	if err := s.t.writable(); err != nil {
		return store.EnrollmentToken{}, err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{micro(s.t.s.now()), id})
	if _, err := s.t.c.Exec(ctx, `UPDATE enrollment_tokens SET revoked_at = ? WHERE revoked_at = 0 AND id = ?`+cond, args...); err != nil {
		return store.EnrollmentToken{}, err
	}
	return s.getEnroll(ctx, id)
}

func (s *agents) Enroll(ctx context.Context, tokenID string, a store.Agent) (store.Agent, error) {
	if err := s.t.writable(); err != nil {
		return a, err
	}
	if err := checkScope(s.sc, "agent", a.AccountID); err != nil {
		return a, err
	}
	if len(a.Hash) != 32 {
		return a, &store.InvalidError{Field: "hash", Reason: "want a 32-byte SHA-256"}
	}
	now := s.t.s.now()
	// One conditional update counts the use: two enrollments racing for
	// the last use cannot both succeed.
	cond, args := scopeCond(s.sc, "account_id", []any{tokenID, string(a.AccountID), micro(now)})
	n, err := s.t.c.Exec(ctx, `UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ? AND account_id = ? AND revoked_at = 0
		AND (expires_at = 0 OR expires_at > ?) AND (max_uses = 0 OR uses < max_uses)`+cond, args...)
	if err != nil {
		return a, err
	}
	if n == 0 {
		return a, &store.InvalidError{Field: "enrollment token", Reason: "unknown, revoked, expired or used up"}
	}
	if a.ID == "" {
		a.ID = store.NewID("agt")
	}
	a.EnrollmentToken, a.CreatedAt, a.LastSeenAt = tokenID, now, now
	a.RevokedAt, a.ReportHash = fromMicro(0), ""
	err = s.t.execGuarded(ctx, `INSERT INTO agents (id, account_id, hostname, resource_id, enrollment_token_id, hash, version, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, string(a.AccountID), a.Hostname, string(a.ResourceID), tokenID, a.Hash, a.Version, micro(now), micro(now))
	if err != nil && s.t.s.d.IsUnique(err) {
		return a, &store.ConflictError{Kind: "agent", ID: a.ID, Reason: "duplicate id or credential"}
	}
	return a, err
}

func (s *agents) Get(ctx context.Context, id string) (store.Agent, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{id})
	a, err := scanAgent(s.t.c.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = ?`+cond, args...))
	return a, notFound(err, "agent", id)
}

func (s *agents) List(ctx context.Context) ([]store.Agent, error) {
	cond, args := scopeCond(s.sc, "account_id", nil)
	rows, err := s.t.c.Query(ctx, `SELECT `+agentCols+` FROM agents WHERE 1 = 1`+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *agents) Lookup(ctx context.Context, hash []byte) (store.Agent, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{hash})
	a, err := scanAgent(s.t.c.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE hash = ?`+cond, args...))
	return a, notFound(err, "agent", hex.EncodeToString(hash))
}

func (s *agents) Revoke(ctx context.Context, id string) (store.Agent, error) {
	if err := s.t.writable(); err != nil {
		return store.Agent{}, err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{micro(s.t.s.now()), id})
	if _, err := s.t.c.Exec(ctx, `UPDATE agents SET revoked_at = ? WHERE revoked_at = 0 AND id = ?`+cond, args...); err != nil {
		return store.Agent{}, err
	}
	return s.Get(ctx, id)
}

func (s *agents) Seen(ctx context.Context, id, version string) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{micro(s.t.s.now()), version, id})
	n, err := s.t.c.Exec(ctx, `UPDATE agents SET last_seen_at = ?, version = ? WHERE id = ?`+cond, args...)
	if err == nil && n == 0 {
		return &store.NotFoundError{Kind: "agent", ID: id}
	}
	return err
}

func (s *agents) SaveReport(ctx context.Context, id, hash string, data []byte) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	now := micro(s.t.s.now())
	cond, args := scopeCond(s.sc, "account_id", []any{hash, data, now, now, id})
	n, err := s.t.c.Exec(ctx, `UPDATE agents SET report_hash = ?, report = ?, reported_at = ?, last_seen_at = ? WHERE id = ?`+cond, args...)
	if err == nil && n == 0 {
		return &store.NotFoundError{Kind: "agent", ID: id}
	}
	return err
}

func (s *agents) Report(ctx context.Context, resource model.ResourceID) (store.Agent, []byte, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(resource)})
	var data []byte
	a, err := scanAgent(s.t.c.QueryRow(ctx, `SELECT `+agentCols+`, report FROM agents
		WHERE resource_id = ? AND reported_at > 0`+cond+` ORDER BY reported_at DESC, id DESC LIMIT 1`, args...), &data)
	return a, data, notFound(err, "agent report", string(resource))
}
