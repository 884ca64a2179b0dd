package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigilsec/vigil/internal/store/sqlstore"
)

// backend adapts database/sql to sqlstore.Backend: w is the single writer,
// r the reader pool, each with its prepared statements.
type backend struct {
	w, r   *sql.DB
	ws, rs *stmtCache
	ckpt   *checkpointer
}

func newBackend(w, r *sql.DB) *backend {
	return &backend{w: w, r: r, ws: newStmtCache(w), rs: newStmtCache(r)}
}

func (b *backend) Begin(ctx context.Context, write bool) (sqlstore.Tx, error) {
	db, c := b.r, b.rs
	if write {
		db, c = b.w, b.ws
	}
	c.prepare(ctx)
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	tx := &tx{t: t, c: c}
	if write {
		tx.ckpt = b.ckpt
	}
	return tx, nil
}

func (b *backend) Close() error {
	var cerr error
	if b.ckpt != nil {
		cerr = b.ckpt.close()
	}
	return errors.Join(cerr, b.ws.close(), b.rs.close(), b.r.Close(), b.w.Close())
}

type tx struct {
	t *sql.Tx
	c *stmtCache
	// ckpt is told of a write transaction's commit.
	ckpt *checkpointer
}

// stmt returns q prepared (on the transaction's connection, once per
// connection), or nil when it is not prepared.
func (t *tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	s := t.c.get(q)
	if s == nil {
		return nil, nil
	}
	return t.t.StmtContext(ctx, s), nil
}

func (t *tx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	var res sql.Result
	s, err := t.stmt(ctx, q)
	switch {
	case err != nil:
		return 0, err
	case s != nil:
		res, err = s.ExecContext(ctx, args...)
	default:
		res, err = t.t.ExecContext(ctx, q, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *tx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	var rows *sql.Rows
	s, err := t.stmt(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case s != nil:
		rows, err = s.QueryContext(ctx, args...)
	default:
		rows, err = t.t.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return rowsAdapter{rows}, nil
}

func (t *tx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	s, err := t.stmt(ctx, q)
	switch {
	case err != nil:
		return errRow{err}
	case s != nil:
		return rowAdapter{s.QueryRowContext(ctx, args...)}
	}
	return rowAdapter{t.t.QueryRowContext(ctx, q, args...)}
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (t *tx) Commit(context.Context) error {
	err := t.t.Commit()
	if err == nil && t.ckpt != nil {
		t.ckpt.committed()
	}
	return err
}

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
