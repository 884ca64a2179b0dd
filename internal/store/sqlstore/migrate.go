package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/store"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads NNN_name.sql files from the root of fsys, sorted by
// number; numbers must be unique and start at 1 without gaps.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: bad file name %q (want NNN_name.sql)", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: expected version %d, found %d (%s)", i+1, m.Version, m.Name)
		}
	}
	return ms, nil
}

const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// migrate applies the pending migrations, each in its own transaction
// (under the dialect's migration lock), and refuses a database that is
// newer than ms.
func (s *Store) migrate(ctx context.Context, ms []Migration) error {
	log := s.opts.Log()
	for {
		applied, err := s.migrateOne(ctx, ms)
		if err != nil {
			return err
		}
		if applied == nil {
			return nil
		}
		log.InfoContext(ctx, "store: applied migration", "dialect", s.d.Name, "version", applied.Version, "name", applied.Name)
	}
}

func (s *Store) migrateOne(ctx context.Context, ms []Migration) (*Migration, error) {
	var applied *Migration
	c, err := s.b.Begin(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() { _ = c.Rollback(context.WithoutCancel(ctx)) }()
	if s.d.MigrationLock != "" {
		if _, err := c.Exec(ctx, s.d.MigrationLock); err != nil {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := c.Exec(ctx, createMigrations); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	cur, err := currentVersion(ctx, c)
	if err != nil {
		return nil, err
	}
	if cur > len(ms) {
		return nil, &store.SchemaTooNewError{Database: cur, Known: len(ms)}
	}
	if cur == len(ms) {
		return nil, c.Commit(ctx)
	}
	m := ms[cur]
	if _, err := c.Exec(ctx, m.SQL); err != nil {
		return nil, fmt.Errorf("migrate: %03d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := c.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, s.now().UnixMicro()); err != nil {
		return nil, fmt.Errorf("migrate: record %d: %w", m.Version, err)
	}
	if err := c.Commit(ctx); err != nil {
		return nil, fmt.Errorf("migrate: commit %d: %w", m.Version, err)
	}
	applied = &m
	return applied, nil
}

func currentVersion(ctx context.Context, c Conn) (int, error) {
	var v int
	if err := c.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	return v, nil
}

// SchemaVersion implements store.Store.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	c, err := s.b.Begin(ctx, false)
	if err != nil {
		return 0, err
	}
	defer func() { _ = c.Rollback(context.WithoutCancel(ctx)) }()
	return currentVersion(ctx, c)
}
