package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigilsec/vigil/internal/store/sqlstore"
)

// backend adapts database/sql to sqlstore.Backend: w is the single writer,
// r the reader pool.
type backend struct {
	w, r *sql.DB
}

func (b *backend) Begin(ctx context.Context, write bool) (sqlstore.Tx, error) {
	db := b.r
	if write {
		db = b.w
	}
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &tx{t: t}, nil
}

func (b *backend) Close() error {
	return errors.Join(b.r.Close(), b.w.Close())
}

type tx struct{ t *sql.Tx }

func (t *tx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := t.t.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *tx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.t.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return rowsAdapter{rows}, nil
}

func (t *tx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return rowAdapter{t.t.QueryRowContext(ctx, q, args...)}
}

func (t *tx) Commit(context.Context) error   { return t.t.Commit() }
func (t *tx) Rollback(context.Context) error { return t.t.Rollback() }

type rowsAdapter struct{ *sql.Rows }

func (r rowsAdapter) Close() { _ = r.Rows.Close() }

type rowAdapter struct{ r *sql.Row }

func (r rowAdapter) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}
