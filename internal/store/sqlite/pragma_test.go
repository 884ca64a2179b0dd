package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// TestPragmas checks that both pools run with the settings the package
// documents.
func TestPragmas(t *testing.T) {
	b, err := open(filepath.Join(t.TempDir(), "p.db"), nil)
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
			if ckpt != walAutoCheckpoint || limit != 64<<20 {
				t.Errorf("writer: wal_autocheckpoint=%d journal_size_limit=%d, want %d and %d", ckpt, limit, walAutoCheckpoint, 64<<20)
			}
			var ps int
			if err := tx.QueryRow(ctx, `PRAGMA page_size`).Scan(&ps); err != nil {
				t.Fatal(err)
			}
			if ps != pageSize {
				t.Errorf("a new database's page size is %d, want %d", ps, pageSize)
			}
		}
		_ = tx.Rollback(ctx)
		if mode != "wal" || fk != 1 || busy != 10000 || sync != 1 || (queryOnly == 1) == write {
			t.Errorf("%s: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d query_only=%d", name, mode, fk, busy, sync, queryOnly)
		}
	}
}

// TestBackgroundCheckpoint checks that committed pages reach the database
// file without a commit crossing the writer's automatic checkpoint
// threshold: the checkpointer copied them back.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	b, err := open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tx, err := b.Begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE blobs (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	for range 256 {
		if _, err := tx.Exec(ctx, `INSERT INTO blobs VALUES (randomblob(8192))`); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= 2<<20 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes 10 s after a 2 MiB commit: nothing checkpointed", fi.Size())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestExistingPageSizeKept checks that a database created with another
// page size (SQLite's default, before pageSize) opens, migrates and keeps
// its page size: the setting only shapes new databases.
func TestExistingPageSizeKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=page_size(4096)&_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE before_vigil (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ps int
	err = s.View(ctx, func(tx store.Tx) error {
		_, err := tx.Resources(store.SystemScope()).List(ctx, store.ResourceFilter{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tx, err := b.Begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := tx.QueryRow(ctx, `PRAGMA page_size`).Scan(&ps); err != nil {
		t.Fatal(err)
	}
	if ps != 4096 {
		t.Errorf("page size %d after opening, want the database's 4096", ps)
	}
}
