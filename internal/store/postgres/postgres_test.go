package postgres_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/postgres"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

// dsnEnv names the variable holding the test database's connection string,
// e.g. postgres://vigil:vigil@127.0.0.1:5432/vigil_test.
const dsnEnv = "VIGIL_TEST_POSTGRES"

type backend struct{ dsn string }

func (b backend) Open(ctx context.Context, opts store.Options) (store.Store, error) {
	s, err := postgres.Open(ctx, b.dsn, opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (b backend) Exec(ctx context.Context, q string) error {
	c, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, q)
	return err
}

func (b backend) QueryInt(ctx context.Context, q string) (int64, error) {
	c, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	var n *int64
	if err := c.QueryRow(ctx, q).Scan(&n); err != nil || n == nil {
		return 0, err
	}
	return *n, nil
}

// newBackend creates a schema of its own in the test database and drops it
// when tb ends, so that runs and tests never share tables.
func newBackend(tb testing.TB) storetest.Backend {
	base := os.Getenv(dsnEnv)
	if base == "" {
		tb.Skipf("%s is not set: no PostgreSQL to test against", dsnEnv)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect %s: %v", dsnEnv, err)
	}
	defer c.Close(ctx)
	schema := "t_" + store.NewToken()[:16]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return backend{dsn: u.String()}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newBackend)
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, newBackend)
}
