package sqlstore

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/vigilsec/vigil/internal/store"
)

// maxGroup bounds the transactions one group commit runs together.
const maxGroup = 64

// groupReq is one InTxGrouped call waiting for its group.
type groupReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error
}

// grouper runs the InTxGrouped calls that wait for SQLite's single writer
// together: one transaction, one commit. Committing is most of what a
// short write transaction costs there (every page it changed is written
// to the WAL); transactions committed together write the pages they share
// once (the last pages of the outbox and the job queue, the index pages of
// common packages and vulnerabilities).
type grouper struct {
	mu      sync.Mutex
	pending []*groupReq
	running bool
}

// InTxGrouped implements store.Store.
func (s *Store) InTxGrouped(ctx context.Context, fn func(store.Tx) error) error {
	fn = recovering(fn)
	if !s.d.GroupCommit {
		return s.InTx(ctx, fn)
	}
	r := &groupReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.pending = append(g.pending, r)
	start := !g.running
	g.running = true
	g.mu.Unlock()
	if start {
		go g.loop(s)
	}
	return <-r.done
}

// loop commits groups until no call waits.
func (g *grouper) loop(s *Store) {
	for {
		g.mu.Lock()
		n := min(len(g.pending), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := g.pending[:n:n]
		g.pending = g.pending[n:]
		g.mu.Unlock()
		g.commit(s, batch)
	}
}

// commit runs batch in one transaction. When one of them fails (or the
// commit does), the transaction rolls back and each runs again alone, so
// that a failure is the failing call's only.
func (g *grouper) commit(s *Store, batch []*groupReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		live[0].done <- s.InTx(live[0].ctx, live[0].fn)
		return
	}
	err := s.run(context.Background(), true, func(tx store.Tx) error {
		for _, r := range live {
			if err := r.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, r := range live {
			r.done <- nil
		}
		return
	}
	for _, r := range live {
		r.done <- s.InTx(r.ctx, r.fn)
	}
}

// PanicError is the error of an InTxGrouped call whose function panicked
// (it may have run on the group's goroutine, where a panic would end the
// process).
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("transaction function panicked: %v", e.Value) }

// recovering returns fn with its panics turned into a *PanicError.
func recovering(fn func(store.Tx) error) func(store.Tx) error {
	return func(tx store.Tx) (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return fn(tx)
	}
}
