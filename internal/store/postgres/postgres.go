package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded PostgreSQL migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations") // constant path: cannot fail
	return sub
}

// migrationLockKey is the advisory lock id taken while migrating.
const migrationLockKey = 0x76696769 // "vigi"

// dictLockKey is the advisory lock id of the finding content
// dictionaries: shared by a transaction that writes findings naming
// stored dictionaries, exclusive while unreferenced ones are pruned.
const dictLockKey = 0x76646963 // "vdic"

// Dialect is PostgreSQL's.
var Dialect = sqlstore.Dialect{
	Name:          "postgres",
	LockRows:      " FOR UPDATE SKIP LOCKED",
	MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
	IsUnique:      isCode("23505"),
	IsForeignKey:  isCode("23503"),
	InsertIgnore:  "INSERT",
	IgnoreSuffix:  " ON CONFLICT DO NOTHING",
	UpdateMany:    "UPDATE",
	MaxParams:     65535,
	IndexSeqs:     "SELECT nextval('inventory_index_seq') FROM generate_series(1, ?::int)",
	DictRefs: `SELECT DISTINCT encode(substring(data from 3 for 16), 'hex') FROM findings ` +
		`WHERE substring(data from 1 for 2) = '\x0001'::bytea`,
	DictLockShared:       fmt.Sprintf("SELECT pg_advisory_xact_lock_shared(%d)", dictLockKey),
	DictTryLockExclusive: fmt.Sprintf("SELECT pg_try_advisory_xact_lock(%d)", dictLockKey),
}

func isCode(code string) func(error) bool {
	return func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == code
	}
}

// Open connects to dsn, migrates the database and returns the store.
func Open(ctx context.Context, dsn string, opts store.Options) (*sqlstore.Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	b := &backend{pool: pool}
	s, err := sqlstore.Open(ctx, b, Dialect, Migrations(), opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}
