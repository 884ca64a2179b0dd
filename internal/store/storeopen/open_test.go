package storeopen

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/store"
)

func TestOpenSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(context.Background(), "", dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(dir, SQLiteFile)); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestOpenPostgres(t *testing.T) {
	dsn := os.Getenv("VIGIL_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("VIGIL_TEST_POSTGRES is not set: no PostgreSQL to test against")
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	schema := "o_" + store.NewToken()[:16]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE") }()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := Open(ctx, u.String(), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(context.Background()); err != nil || v < 1 {
		t.Errorf("SchemaVersion = %d, %v", v, err)
	}
}

func TestOpenRefusesUnknown(t *testing.T) {
	_, err := Open(context.Background(), "mysql://root:secret@db/vigil", "", store.Options{})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v; want an error without the password", err)
	}
}
