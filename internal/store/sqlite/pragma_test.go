package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestPragmas checks that both pools run with the settings the package
// documents.
func TestPragmas(t *testing.T) {
	b, err := open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	for name, write := range map[string]bool{"writer": true, "reader": false} {
		tx, err := b.Begin(ctx, write)
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		var fk, busy, sync, queryOnly int
		if err := tx.QueryRow(ctx, `SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT foreign_keys FROM pragma_foreign_keys),
			(SELECT timeout FROM pragma_busy_timeout), (SELECT synchronous FROM pragma_synchronous), (SELECT query_only FROM pragma_query_only)`).
			Scan(&mode, &fk, &busy, &sync, &queryOnly); err != nil {
			t.Fatal(err)
		}
		if write {
			var ckpt, limit int
			if err := tx.QueryRow(ctx, `PRAGMA wal_autocheckpoint`).Scan(&ckpt); err != nil {
				t.Fatal(err)
			}
			if err := tx.QueryRow(ctx, `PRAGMA journal_size_limit`).Scan(&limit); err != nil {
				t.Fatal(err)
			}
			if ckpt != 8192 || limit != 64<<20 {
				t.Errorf("writer: wal_autocheckpoint=%d journal_size_limit=%d, want 8192 and %d", ckpt, limit, 64<<20)
			}
		}
		_ = tx.Rollback(ctx)
		if mode != "wal" || fk != 1 || busy != 10000 || sync != 1 || (queryOnly == 1) == write {
			t.Errorf("%s: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d query_only=%d", name, mode, fk, busy, sync, queryOnly)
		}
	}
}
