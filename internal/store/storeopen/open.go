package storeopen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/postgres"
	"github.com/vigilsec/vigil/internal/store/sqlite"
)

// SQLiteFile is the database file's name inside the data directory.
const SQLiteFile = "vigil.db"

// IsPostgres reports whether db names a PostgreSQL database.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open opens the store db names: a PostgreSQL URL, or, when db is empty,
// SQLite at dataDir/vigil.db (dataDir is created with mode 0700).
func Open(ctx context.Context, db, dataDir string, opts store.Options) (store.Store, error) {
	switch {
	case IsPostgres(db):
		return postgres.Open(ctx, db, opts)
	case db != "":
		return nil, fmt.Errorf("store: unsupported database %q (want postgres://… or none for SQLite)", redact(db))
	case dataDir == "":
		return nil, fmt.Errorf("store: no data directory for the SQLite database")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(dataDir, SQLiteFile), opts)
}

// redact hides anything that may be a password in a connection string.
func redact(db string) string {
	if i := strings.Index(db, "@"); i >= 0 {
		if j := strings.Index(db, "://"); j >= 0 && j < i {
			return db[:j+3] + "…" + db[i:]
		}
		return "…" + db[i:]
	}
	return db
}
