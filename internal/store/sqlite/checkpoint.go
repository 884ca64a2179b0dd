package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// walAutoCheckpoint is the writer's automatic checkpoint threshold in
// pages (512 MiB of WAL with 16 KiB pages, 128 MiB with 4 KiB ones): only
// a bound for when the background checkpointer falls behind. Under a
// sustained write load the WAL does grow to it (a passive checkpoint
// never catches up with a writer that keeps appending, so the WAL does
// not restart until a pause or until the commit that crosses the bound
// checkpoints the rest itself). A lower bound makes the writer copy pages
// back in its commits more often: 4,096 pages (64 MiB) took the push
// benchmark from ≈ 100 to ≈ 87 inventories/s (BENCHMARKS.md, session 7).
const walAutoCheckpoint = 32768

// A background checkpoint waits until the writer has been idle for
// checkpointIdle, or for checkpointMaxDelay after the first commit it has
// not copied back: a burst of commits (a rematch, a wave of pushes) is
// copied back once, in a pause, rather than competing with the burst.
const (
	checkpointIdle     = 250 * time.Millisecond
	checkpointMaxDelay = 2 * time.Second
)

// checkpointer copies the WAL back into the database file in the
// background (PASSIVE checkpoints on a connection of its own), so that
// commits do not: with SQLite's automatic checkpoint, the transaction whose
// commit crosses the threshold also copies back every page committed since
// the last checkpoint (a third of a large rematch transaction's commit).
// A passive checkpoint waits for no reader or writer; the writer goes on
// appending to the WAL meanwhile.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newCheckpointer(db *sql.DB, log *slog.Logger) *checkpointer {
	c := &checkpointer{db: db, log: log, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that a write transaction committed.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		deadline := time.After(checkpointMaxDelay)
	wait:
		for {
			select {
			case <-c.stop:
				return
			case <-c.wake: // another commit: wait for the next pause
			case <-time.After(checkpointIdle):
				break wait
			case <-deadline:
				break wait
			}
		}
		var busy, log, done int
		err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done)
		if err != nil && c.log != nil {
			c.log.Warn("sqlite: background checkpoint", "err", err)
		}
	}
}

// close stops the checkpointer (the last connection to close checkpoints
// what is left).
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
