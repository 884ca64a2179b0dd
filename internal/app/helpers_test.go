package app_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/store"
)

// pgEnv names the variable with the test PostgreSQL's connection string.
const pgEnv = "VIGIL_TEST_POSTGRES"

// backends lists the stores the end-to-end tests run on; url returns the
// app's --db ("" for SQLite in the data directory).
var backends = []struct {
	name string
	url  func(t *testing.T) string
}{
	{"sqlite", func(*testing.T) string { return "" }},
	{"postgres", postgresURL},
}

// postgresURL returns the test PostgreSQL with a schema of its own, dropped
// at the end of the test.
func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL to test against", pgEnv)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", pgEnv, err)
	}
	defer c.Close(ctx)
	schema := "t_app_" + store.NewToken()[:12]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
