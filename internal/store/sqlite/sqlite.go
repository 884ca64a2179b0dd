package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"runtime"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded SQLite migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations") // constant path: cannot fail
	return sub
}

// Dialect is SQLite's.
var Dialect = sqlstore.Dialect{
	Name:         "sqlite",
	IsUnique:     isCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
	IsForeignKey: isCode(sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY),
	InsertIgnore: "INSERT OR IGNORE",
	UpdateMany:   "UPDATE OR IGNORE",
	MaxParams:    32766,
	GroupCommit:  true,
}

func isCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var e *msqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		for _, c := range codes {
			if e.Code() == c {
				return true
			}
		}
		return false
	}
}

// Open opens (creating when missing) the database file at path, migrates it
// and returns the store.
func Open(ctx context.Context, path string, opts store.Options) (*sqlstore.Store, error) {
	b, err := open(path, opts.Log())
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, b, Dialect, Migrations(), opts)
	if err != nil {
		_ = b.Close()
		return nil, err
	}
	return s, nil
}

// role is what a connection pool is for.
type role int

const (
	writer role = iota
	reader
	checkpointing // the background checkpointer's connection
)

func dsn(path string, r role) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	switch r {
	case reader:
		q.Add("_pragma", "cache_size(-16384)") // 16 MiB per reader
		q.Add("_pragma", "query_only(1)")
	case checkpointing:
		q.Add("_pragma", "cache_size(-256)") // a checkpoint bypasses the cache
	case writer:
		// 16 MiB, like the readers. A 128 MiB writer cache cut a rematch of
		// 3,000 inventories from 7.3 to 3.0 s (fewer spills of dirty pages
		// to the WAL mid-transaction) but took the server's peak RSS from
		// 196 to 426 MB after 1,000 host pushes (issue 5's budget is 500 MB
		// with 10,000 resources); see BENCHMARKS.md.
		q.Add("_pragma", "cache_size(-16384)")
		q.Add("_pragma", "journal_mode(WAL)")
		// Checkpoints run in the background (checkpointer); the writer's
		// own only bounds the WAL if those fall behind. The WAL file is
		// truncated to 64 MiB after a checkpoint.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walAutoCheckpoint))
		q.Add("_pragma", "journal_size_limit(67108864)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func open(path string, log *slog.Logger) (*backend, error) {
	w, err := sql.Open("sqlite", dsn(path, writer))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// Create the file and switch to WAL before readers connect.
	if err := w.Ping(); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, reader))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(2, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	c, err := sql.Open("sqlite", dsn(path, checkpointing))
	if err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	b := newBackend(w, r)
	b.ckpt = newCheckpointer(c, log)
	return b, nil
}
