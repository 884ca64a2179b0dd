package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/sqlite"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

type backend struct{ path string }

func (b backend) Open(ctx context.Context, opts store.Options) (store.Store, error) {
	s, err := sqlite.Open(ctx, b.path, opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (b backend) Exec(ctx context.Context, q string) error {
	db, err := sql.Open("sqlite", b.path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}

func (b backend) QueryInt(ctx context.Context, q string) (int64, error) {
	db, err := sql.Open("sqlite", b.path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n sql.NullInt64
	err = db.QueryRowContext(ctx, q).Scan(&n)
	return n.Int64, err
}

func newBackend(tb testing.TB) storetest.Backend {
	return backend{path: filepath.Join(tb.TempDir(), "vigil.db")}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newBackend)
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, newBackend)
}
