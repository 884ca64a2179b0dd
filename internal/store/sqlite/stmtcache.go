package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxStmts bounds the statements a pool keeps prepared. The store's
// statements are a fixed set apart from IN lists and multi-row inserts,
// whose lengths vary with batch sizes; once the cache is full, further
// statements are compiled for each use, as without a cache.
const maxStmts = 256

// maxStmtLen bounds the text of a cached statement.
const maxStmtLen = 16 << 10

// stmtCache keeps the prepared statements of one pool: SQLite compiles a
// statement in tens of microseconds, as long as running it takes for the
// small reads and writes of reconciliation. A statement is prepared on
// the pool (database/sql then keeps it per connection and
// Tx.StmtContext reuses it in every transaction on that connection).
//
// Preparing on the pool needs a free connection, which a transaction on
// the single-connection writer pool holds: so a statement first seen in a
// transaction runs unprepared and is prepared before the next transaction
// begins.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt), pending: make(map[string]bool)}
}

// get returns the prepared q, or nil when it is not (yet) prepared.
func (c *stmtCache) get(q string) *sql.Stmt {
	if len(q) > maxStmtLen {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[q]; ok {
		return s
	}
	if len(c.m)+len(c.pending) < maxStmts {
		c.pending[q] = true
	}
	return nil
}

// prepare prepares the statements seen since the last call. It is called
// outside transactions. A statement that fails to prepare is not retried
// (it then fails, in context, where it is used).
func (c *stmtCache) prepare(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.pending))
	for q := range c.pending {
		qs = append(qs, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range qs {
		s, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.m[q]; ok {
			_ = s.Close()
		} else {
			c.m[q] = s
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, s := range c.m {
		errs = append(errs, s.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}
