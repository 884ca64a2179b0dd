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

func newBackend(tb testing.TB) storetest.Backend {
	return backend{path: filepath.Join(tb.TempDir(), "vigil.db")}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newBackend)
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, newBackend)
}

// TestKeepsFindingEpoch checks that SQLite keeps the finding epoch (the
// conformance suite accepts a store that keeps none).
func TestKeepsFindingEpoch(t *testing.T) {
	ctx := context.Background()
	s, err := newBackend(t).Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx store.Tx) error {
		n, ok, err := tx.Findings(store.SystemScope()).Epoch(ctx)
		if err == nil && (!ok || n != 0) {
			t.Errorf("Epoch of a new store = %d, %v; want 0, true", n, ok)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
