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
	DictRefs:     `SELECT DISTINCT lower(hex(substr(data, 3, 16))) FROM findings WHERE substr(data, 1, 2) = X'0001'`,
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
		// A new database gets pageSize pages; the page size must be set
		// before WAL mode is, which the driver's _journal_mode does after
		// every _pragma (it sorts those by name).
		q.Add("_pragma", fmt.Sprintf("page_size(%d)", pageSize))
		q.Set("_journal_mode", "WAL")
		// Checkpoints run in the background (checkpointer); the writer's
		// own only bounds the WAL if those fall behind. The WAL file is
		// truncated to 64 MiB after a checkpoint.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walAutoCheckpoint))
		q.Add("_pragma", "journal_size_limit(67108864)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// pageSize is the page size of new databases: 16 KiB, not SQLite's
// 4 KiB. Every page a transaction changes is one WAL frame, written with
// two system calls and copied back by checkpoints; most of a scan batch's
// pages are whole runs of appended rows (findings, events, each package's
// range of the package index), which take a quarter of the frames in
// 16 KiB pages. Measured on the push benchmark (BENCHMARKS.md, "page
// size"): 4 KiB 65.8–75.8 inventories/s and ≈ 680 write calls per host,
// 16 KiB 82.4–97.1/s and 180; 32 and 64 KiB were no faster and took the
// peak RSS over budget. Existing databases keep the page size they were
// created with.
const pageSize = 16384

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
