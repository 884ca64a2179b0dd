package sqlstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type pendingEvent struct{ e model.Event }

type outbox struct {
	t  *tx
	sc store.Scope
}

func (o *outbox) Append(ctx context.Context, events ...model.Event) error {
	if err := o.t.writable(); err != nil {
		return err
	}
	for _, e := range events {
		if e.AccountID == "" && !o.sc.All() {
			return &store.ScopeError{Kind: "event"}
		}
		if err := checkScope(o.sc, "event", e.AccountID); err != nil {
			return err
		}
		if e.Type == "" {
			return &store.InvalidError{Field: "event.type", Reason: "empty"}
		}
		o.t.events = append(o.t.events, pendingEvent{e: e})
	}
	return nil
}

// outboxInsert is the head of the outbox's multi-row insert.
const outboxInsert = `INSERT INTO outbox (seq, account_id, type, subject, payload, created_at) VALUES `

// flush writes the transaction's events just before commit. The counter
// row's lock is held from here to commit, so sequence numbers are given
// out in commit order and none is lost to a rollback.
func (t *tx) flush(ctx context.Context) error {
	if len(t.events) == 0 {
		return nil
	}
	n := int64(len(t.events))
	var last int64
	if err := t.c.QueryRow(ctx, `UPDATE outbox_counter SET seq = seq + ? WHERE id = 1 RETURNING seq`, n).Scan(&last); err != nil {
		return err
	}
	first := last - n + 1
	now := micro(t.s.now())
	const cols = 6
	evs := t.events
	// Payloads are compressed (encodePayload) while the statement before
	// executes.
	err := execChunks(len(evs), min(t.s.d.MaxParams/cols, 200),
		func(lo, hi int) ([]any, error) {
			args := make([]any, 0, (hi-lo)*cols)
			for i, p := range evs[lo:hi] {
				args = append(args, first+int64(lo+i), string(p.e.AccountID), p.e.Type, p.e.Subject, encodePayload(p.e.Payload), now)
			}
			return args, nil
		},
		func(k int, args []any) error {
			_, err := t.c.Exec(ctx, multiRowSQL(outboxInsert, "(?,?,?,?,?,?)", "", k), args...)
			return err
		})
	if err != nil {
		return err
	}
	t.events = nil
	return nil
}

func (o *outbox) List(ctx context.Context, since int64, limit int) ([]model.Event, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	cond, args := scopeCond(o.sc, "account_id", []any{since})
	args = append(args, limit)
	rows, err := o.t.c.Query(ctx, `SELECT seq, account_id, type, subject, payload, created_at FROM outbox WHERE seq > ?`+cond+` ORDER BY seq LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Event
	for rows.Next() {
		var e model.Event
		var created int64
		var payload []byte
		if err := rows.Scan(&e.Seq, &e.AccountID, &e.Type, &e.Subject, &payload, &created); err != nil {
			return nil, err
		}
		p, err := decodePayload(payload)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		e.Payload = p
		e.CreatedAt = fromMicro(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (o *outbox) Last(ctx context.Context) (int64, error) {
	var seq int64
	err := o.t.c.QueryRow(ctx, `SELECT seq FROM outbox_counter WHERE id = 1`).Scan(&seq)
	return seq, err
}

func (o *outbox) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := o.t.writable(); err != nil {
		return 0, err
	}
	if !o.sc.All() {
		return 0, &store.ScopeError{Kind: "event"}
	}
	if limit <= 0 || limit > 100000 {
		limit = 100000
	}
	// Events a target has not delivered yet stay, whatever their age.
	var floor *int64
	if err := o.t.c.QueryRow(ctx, `SELECT MIN(last_seq) FROM delivery_targets`).Scan(&floor); err != nil {
		return 0, err
	}
	upTo := int64(math.MaxInt64)
	if floor != nil {
		upTo = *floor
	}
	n, err := o.t.c.Exec(ctx, `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq <= ? AND created_at < ? ORDER BY seq LIMIT ?)`,
		upTo, micro(before), limit)
	return int(n), err
}

type audit struct {
	t  *tx
	sc store.Scope
}

func (a *audit) Append(ctx context.Context, e model.AuditEntry) (model.AuditEntry, error) {
	if err := a.t.writable(); err != nil {
		return e, err
	}
	if err := checkScope(a.sc, "audit", e.AccountID); err != nil {
		return e, err
	}
	if e.Action == "" || e.Actor == "" {
		return e, &store.InvalidError{Field: "audit", Reason: "actor and action are required"}
	}
	if e.At.IsZero() {
		e.At = a.t.s.now()
	}
	err := a.t.c.QueryRow(ctx, `INSERT INTO audit_log (account_id, actor, action, target, detail, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		string(e.AccountID), e.Actor, e.Action, e.Target, e.Detail, micro(e.At)).Scan(&e.ID)
	return e, err
}

func (a *audit) List(ctx context.Context, after int64, limit int) ([]model.AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	cond, args := scopeCond(a.sc, "account_id", []any{after})
	args = append(args, limit)
	rows, err := a.t.c.Query(ctx, `SELECT id, account_id, actor, action, target, detail, at FROM audit_log WHERE id > ?`+cond+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.AuditEntry
	for rows.Next() {
		var e model.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.AccountID, &e.Actor, &e.Action, &e.Target, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = fromMicro(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Event payloads of payloadCompressMin bytes or more (or starting with a
// zero byte) are stored S2-compressed behind a zero byte, which no JSON
// payload starts with: a
// finding's event carries the whole finding (≈ 2 KB, mostly prose and
// URLs), and every byte stored is written to the WAL and copied back.
const payloadCompressMin = 256

// maxPayload bounds a decoded payload.
const maxPayload = 16 << 20

func encodePayload(p []byte) []byte {
	if len(p) < payloadCompressMin && (len(p) == 0 || p[0] != 0) {
		return p
	}
	out := make([]byte, 1, 1+s2.MaxEncodedLen(len(p)))
	return append(out, s2.Encode(out[1:cap(out)], p)...)
}

func decodePayload(p []byte) ([]byte, error) {
	if len(p) == 0 || p[0] != 0 {
		return p, nil
	}
	n, err := s2.DecodedLen(p[1:])
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if n > maxPayload {
		return nil, fmt.Errorf("payload of %d bytes", n)
	}
	return s2.Decode(nil, p[1:])
}
