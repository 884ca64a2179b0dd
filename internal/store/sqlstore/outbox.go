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

// outboxChunkRows is how many rows one insert statement of the outbox
// writes.
const outboxChunkRows = 8

// outboxInsert is the head of the outbox's multi-row insert.
const outboxInsert = `INSERT INTO outbox (seq, account_id, type, subject, payload, created_at, events) VALUES `

// flush writes the transaction's events just before commit. The counter
// row's lock is held from here to commit, so sequence numbers are given
// out in commit order and none is lost to a rollback. Runs of events of
// one account are written as blocks (outboxblock.go); a lone event as a
// row of its own.
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
	const cols = 7
	evs := t.events
	ends := blocks(evs)
	// Payloads are compressed (encodePayload, encodeBlock) while the
	// statement before executes: a few rows per statement, since a row
	// may be a block of hundreds of events.
	var scratch []byte // a block before compression; the builds run one at a time
	err := execChunks(len(ends), min(t.s.d.MaxParams/cols, outboxChunkRows),
		func(lo, hi int) ([]any, error) {
			args := make([]any, 0, (hi-lo)*cols)
			start := 0
			if lo > 0 {
				start = ends[lo-1]
			}
			for _, end := range ends[lo:hi] {
				run := evs[start:end]
				seq := first + int64(end-1)
				if len(run) == 1 {
					e := run[0].e
					args = append(args, seq, string(e.AccountID), e.Type, e.Subject, encodePayload(e.Payload), now, 1)
				} else {
					args = append(args, seq, string(run[0].e.AccountID), "", "", encodeBlockWith(&scratch, run), now, len(run))
				}
				start = end
			}
			return args, nil
		},
		func(k int, args []any) error {
			_, err := t.c.Exec(ctx, multiRowSQL(outboxInsert, "(?,?,?,?,?,?,?)", "", k), args...)
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
	args = append(args, limit) // each row holds at least one event
	rows, err := o.t.c.Query(ctx, `SELECT seq, account_id, type, subject, payload, created_at, events FROM outbox WHERE seq > ?`+cond+` ORDER BY seq LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Event
	for len(out) < limit && rows.Next() {
		var e model.Event
		var created int64
		var payload []byte
		var count int
		if err := rows.Scan(&e.Seq, &e.AccountID, &e.Type, &e.Subject, &payload, &created, &count); err != nil {
			return nil, err
		}
		e.CreatedAt = fromMicro(created)
		if count == 1 {
			p, err := decodePayload(payload)
			if err != nil {
				return nil, fmt.Errorf("event %d: %w", e.Seq, err)
			}
			e.Payload = p
			out = append(out, e)
			continue
		}
		evs, err := decodeBlock(e.Seq, count, payload)
		if err != nil {
			return nil, err
		}
		for _, b := range evs {
			if b.Seq <= since || len(out) == limit {
				continue
			}
			b.AccountID, b.CreatedAt = e.AccountID, e.CreatedAt
			out = append(out, b)
		}
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
	// A block goes when its last event may.
	rows, err := o.t.c.Query(ctx, `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq <= ? AND created_at < ? ORDER BY seq LIMIT ?) RETURNING events`,
		upTo, micro(before), limit)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var k int
		if err := rows.Scan(&k); err != nil {
			return n, err
		}
		n += k
	}
	return n, rows.Err()
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
