package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vigilsec/vigil/internal/store/sqlstore"
)

// backend adapts a pgx pool to sqlstore.Backend.
type backend struct {
	pool *pgxpool.Pool
}

func (b *backend) Begin(ctx context.Context, write bool) (sqlstore.Tx, error) {
	mode := pgx.ReadWrite
	if !write {
		mode = pgx.ReadOnly
	}
	t, err := b.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: mode})
	if err != nil {
		return nil, err
	}
	return &tx{t: t}, nil
}

func (b *backend) Close() error {
	b.pool.Close()
	return nil
}

type tx struct{ t pgx.Tx }

func (t *tx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.t.Exec(ctx, rebind(q), args...)
	return tag.RowsAffected(), err
}

func (t *tx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.t.Query(ctx, rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (t *tx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return row{t.t.QueryRow(ctx, rebind(q), args...)}
}

func (t *tx) Commit(ctx context.Context) error   { return t.t.Commit(ctx) }
func (t *tx) Rollback(ctx context.Context) error { return t.t.Rollback(ctx) }

type row struct{ r pgx.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}

// rebinds caches rewritten queries; the store's queries are a small fixed
// set, but IN lists vary with scope and batch sizes, so the cache is
// bounded: when it holds maxRebinds queries it is emptied.
var (
	rebinds  sync.Map
	nRebinds atomic.Int64
)

// maxRebinds bounds the rewritten queries kept.
const maxRebinds = 1024

// rebind turns '?' placeholders into $1, $2, …. The store's SQL has no
// '?' inside literals.
func rebind(q string) string {
	if v, ok := rebinds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	if len(q) < 4096 {
		if nRebinds.Add(1) > maxRebinds {
			rebinds.Clear()
			nRebinds.Store(1)
		}
		rebinds.Store(q, out)
	}
	return out
}
