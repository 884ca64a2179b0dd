package finding_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/postgres"
	"github.com/vigilsec/vigil/internal/store/sqlite"
)

// testdata is the shared test corpus.
const testdata = "../../../shared/testdata"

// hostFiles lays out a realistic host: Ubuntu 18.04 with 357 dpkg
// packages and applications in npm, PyPI, Go, Rust and Maven, every file a
// real one from the corpus. A source starting with "./" is relative to
// this package (the repository's own test data), not to the corpus.
var hostFiles = map[string]string{
	"etc/os-release":                        "pkgdb/os-release/ubuntu-18.04.os-release",
	"var/lib/dpkg/status":                   "pkgdb/dpkg/status/ubuntu-18.04-texlive.status",
	"srv/web/package-lock.json":             "./../cli/testdata/node-app/package-lock.json",
	"srv/legacy/package-lock.json":          "pkgdb/npm/package-lock.v1.json",
	"srv/api/Pipfile.lock":                  "pkgdb/python/pipenv/Pipfile-many.lock",
	"srv/api/requirements.txt":              "pkgdb/python/requirements/requirements.txt",
	"srv/worker/poetry.lock":                "pkgdb/python/poetry/poetry.v1-flask.lock",
	"srv/gateway/go.mod":                    "pkgdb/go/module/go.mod",
	"srv/gateway/go.sum":                    "pkgdb/go/module/go.sum",
	"srv/agent/Cargo.lock":                  "pkgdb/cargo/Cargo.lock",
	"srv/billing/pom.xml":                   "pkgdb/maven/pom/pom.xml",
	"usr/local/bin/binary-with-replacement": "pkgdb/go/binary/binary_with_module_replacement-linux-amd64",
}

// corpus is the advisory index of every OSV feed of the corpus with KEV
// and EPSS, and the inventory of the host, built once per test binary.
type corpus struct {
	ix       *match.Index
	snapshot string
	inv      *model.Inventory
	matches  []model.Match
}

var (
	corpusOnce sync.Once
	corpusVal  *corpus
	corpusErr  error
	corpusDir  string
)

func loadCorpus(tb testing.TB) *corpus {
	tb.Helper()
	corpusOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "vigil-finding-")
		if err != nil {
			corpusErr = err
			return
		}
		corpusDir = dir
		db, err := advisory.Open(filepath.Join(dir, "db"))
		if err != nil {
			corpusErr = err
			return
		}
		for _, p := range []string{filepath.Join(testdata, "osv"), filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json"),
			filepath.Join(testdata, "epss", "epss_scores-2025-02-20.first5rows.csv")} {
			if _, err := db.Import(ctx, p, advisory.ImportOptions{}); err != nil {
				corpusErr = err
				return
			}
		}
		snap, err := db.Current(ctx)
		if err != nil {
			corpusErr = err
			return
		}
		ix, err := match.Load(ctx, snap)
		if err != nil {
			corpusErr = err
			return
		}
		host := filepath.Join(dir, "host")
		for dst, src := range hostFiles {
			path := filepath.Join(testdata, src)
			if strings.HasPrefix(src, "./") {
				path = src
			}
			data, err := os.ReadFile(path)
			if err != nil {
				corpusErr = err
				return
			}
			p := filepath.Join(host, dst)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				corpusErr = err
				return
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				corpusErr = err
				return
			}
		}
		inv, err := scan.Inventory(ctx, scan.Request{Kind: model.TargetFS, Target: host}, scan.Options{})
		if err != nil {
			corpusErr = err
			return
		}
		ms, err := (&scan.Engine{Index: ix}).Match(ctx, inv)
		if err != nil {
			corpusErr = err
			return
		}
		corpusVal = &corpus{ix: ix, snapshot: snap.ID(), inv: inv, matches: ms}
	})
	if corpusErr != nil {
		tb.Fatalf("corpus: %v", corpusErr)
	}
	return corpusVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if corpusDir != "" {
		_ = os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

// stores lists the implementations to run against: SQLite always,
// PostgreSQL when VIGIL_TEST_POSTGRES names a server.
func stores(tb testing.TB) map[string]func(tb testing.TB) store.Store {
	out := map[string]func(tb testing.TB) store.Store{"sqlite": openSQLite}
	if os.Getenv("VIGIL_TEST_POSTGRES") != "" {
		out["postgres"] = openPostgres
	}
	return out
}

func openSQLite(tb testing.TB) store.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "vigil.db"), store.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// openPostgres opens a store in a schema of its own, dropped when tb ends.
func openPostgres(tb testing.TB) store.Store {
	tb.Helper()
	ctx := context.Background()
	base := os.Getenv("VIGIL_TEST_POSTGRES")
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	schema := "f_" + store.NewToken()[:16]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String(), store.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

var quiet = slog.New(slog.DiscardHandler)

// newAccount creates an organisation with one account.
func newAccount(tb testing.TB, s store.Store, name string) model.Account {
	tb.Helper()
	var a model.Account
	err := s.InTx(context.Background(), func(tx store.Tx) error {
		accts := tx.Accounts(store.SystemScope())
		org, err := accts.CreateOrganization(context.Background(), name)
		if err != nil {
			return err
		}
		a, err = accts.Create(context.Background(), model.Account{Org: org.ID, Name: name})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// newResource registers a resource.
func newResource(tb testing.TB, s store.Store, r model.Resource) model.Resource {
	tb.Helper()
	err := s.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		r, _, err = tx.Resources(store.SystemScope()).Upsert(context.Background(), r)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
