package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// Store implements store.Store over a Backend.
type Store struct {
	b     Backend
	d     Dialect
	opts  store.Options
	group grouper
}

// Open migrates the database behind b with the numbered migrations in
// migrations (NNN_name.sql files at its root) and returns the store. On
// error b is not closed.
func Open(ctx context.Context, b Backend, d Dialect, migrations fs.FS, opts store.Options) (*Store, error) {
	s := &Store{b: b, d: d, opts: opts}
	ms, err := LoadMigrations(migrations)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx, ms); err != nil {
		return nil, err
	}
	return s, nil
}

// Close implements store.Store.
func (s *Store) Close() error { return s.b.Close() }

// InTx implements store.Store.
func (s *Store) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, true, fn)
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, false, fn)
}

// Queue implements store.Store.
func (s *Store) Queue() store.Queue { return &storeQueue{s: s} }

func (s *Store) now() time.Time { return s.opts.Now() }

func (s *Store) run(ctx context.Context, write bool, fn func(store.Tx) error) (err error) {
	c, err := s.b.Begin(ctx, write)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			if rerr := c.Rollback(context.WithoutCancel(ctx)); rerr != nil && err == nil {
				err = rerr
			}
		}
	}()
	t := &tx{c: c, s: s, write: write}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	if err := c.Commit(ctx); err != nil {
		done = true // a failed commit has ended the transaction
		return fmt.Errorf("commit: %w", err)
	}
	done = true
	return nil
}

// tx implements store.Tx.
type tx struct {
	c      Conn
	s      *Store
	write  bool
	events []pendingEvent
}

var errReadOnly = errors.New("write in a read-only transaction")

func (t *tx) writable() error {
	if !t.write {
		return errReadOnly
	}
	return nil
}

func (t *tx) Accounts(sc store.Scope) store.AccountStore      { return &accounts{t: t, sc: sc} }
func (t *tx) Tokens(sc store.Scope) store.TokenStore          { return &tokens{t: t, sc: sc} }
func (t *tx) Resources(sc store.Scope) store.ResourceStore    { return &resources{t: t, sc: sc} }
func (t *tx) Inventories(sc store.Scope) store.InventoryStore { return &inventories{t: t, sc: sc} }
func (t *tx) Outbox(sc store.Scope) store.OutboxStore         { return &outbox{t: t, sc: sc} }
func (t *tx) Audit(sc store.Scope) store.AuditStore           { return &audit{t: t, sc: sc} }
func (t *tx) Agents(sc store.Scope) store.AgentStore          { return &agents{t: t, sc: sc} }
func (t *tx) Jobs() store.Queue                               { return &txQueue{t: t} }
