package sqlstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// micro converts a time to stored Unix microseconds; the zero time is 0.
func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicro reverses micro.
func fromMicro(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// scopeCond returns " AND col IN (?,…)" for sc and appends its accounts to
// args; "" for the system scope; a false condition for the empty scope.
func scopeCond(sc store.Scope, col string, args []any) (string, []any) {
	if sc.All() {
		return "", args
	}
	ids := sc.Accounts()
	if len(ids) == 0 {
		return " AND 1 = 0", args
	}
	var b strings.Builder
	b.WriteString(" AND ")
	b.WriteString(col)
	b.WriteString(" IN (")
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('?')
		args = append(args, string(id))
	}
	b.WriteByte(')')
	return b.String(), args
}

// multiRowSQL returns head, n copies of row separated by commas, then
// tail: a multi-row INSERT's text.
func multiRowSQL(head, row, tail string, n int) string {
	var b strings.Builder
	b.Grow(len(head) + n*(len(row)+1) + len(tail))
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	return b.String()
}

// placeholders returns "?,?,…" n times.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func checkScope(sc store.Scope, kind string, id model.AccountID) error {
	if !sc.Allows(id) {
		return &store.ScopeError{Kind: kind, Account: string(id)}
	}
	return nil
}

func notFound(err error, kind, id string) error {
	if errors.Is(err, ErrNoRows) {
		return &store.NotFoundError{Kind: kind, ID: id}
	}
	return err
}

func asNotFound(err error, target **store.NotFoundError) bool { return errors.As(err, target) }

// execGuarded runs a statement that may violate a constraint inside a
// savepoint, so that the error leaves the transaction usable on
// PostgreSQL (which otherwise aborts it) exactly as on SQLite.
func (t *tx) execGuarded(ctx context.Context, q string, args ...any) error {
	if _, err := t.c.Exec(ctx, `SAVEPOINT guard`); err != nil {
		return err
	}
	if _, err := t.c.Exec(ctx, q, args...); err != nil {
		if _, rerr := t.c.Exec(ctx, `ROLLBACK TO SAVEPOINT guard`); rerr != nil {
			return errors.Join(err, rerr)
		}
		_, _ = t.c.Exec(ctx, `RELEASE SAVEPOINT guard`)
		return err
	}
	_, err := t.c.Exec(ctx, `RELEASE SAVEPOINT guard`)
	return err
}
