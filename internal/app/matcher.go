package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/scan"
)

// matcherRecheck is how often get looks for a snapshot made current by
// another process (a `vigil worker` beside the server that runs the
// updater).
const matcherRecheck = time.Second

// matcher holds the match engine of the current advisory snapshot and
// switches to a newer one when asked, or when it finds that the advisory
// database's current snapshot moved.
type matcher struct {
	db  *advisory.DB
	log *slog.Logger

	mu      sync.Mutex
	snap    *advisory.Snapshot
	engine  *scan.Engine
	checked time.Time // when get last read the current snapshot's id
	// old are the snapshots replaced while the app runs: in-flight matches
	// may still read them, so they are closed with the app.
	old []*advisory.Snapshot
}

// get returns the engine and its snapshot id. With want set to a snapshot
// id other than the loaded one (or nothing loaded), it loads the current
// snapshot first; without, it loads the current snapshot when it moved
// (looked up at most every matcherRecheck).
func (m *matcher) get(ctx context.Context, want string) (*scan.Engine, string, error) {
	return m.getAt(ctx, want, false)
}

// latest is get without a wanted snapshot that looks up the current
// snapshot's id now.
func (m *matcher) latest(ctx context.Context) (*scan.Engine, string, error) {
	return m.getAt(ctx, "", true)
}

func (m *matcher) getAt(ctx context.Context, want string, recheck bool) (*scan.Engine, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap != nil && want == "" && (recheck || time.Since(m.checked) >= matcherRecheck) {
		m.checked = time.Now()
		id, err := m.db.CurrentID()
		switch {
		case err != nil:
			m.log.Warn("cannot read the current advisory snapshot's id; keeping the loaded one", "err", err)
		case id != "" && id != m.snap.ID():
			want = id
		}
	}
	if m.snap != nil && (want == "" || want == m.snap.ID()) {
		return m.engine, m.snap.ID(), nil
	}
	snap, err := m.db.Current(ctx)
	if err != nil {
		if m.snap != nil {
			m.log.Warn("cannot open the current advisory snapshot; keeping the loaded one", "err", err)
			return m.engine, m.snap.ID(), nil
		}
		return nil, "", err
	}
	if m.snap != nil && snap.ID() == m.snap.ID() {
		snap.Close()
		return m.engine, m.snap.ID(), nil
	}
	ix, err := match.Load(ctx, snap)
	if err != nil {
		snap.Close()
		return nil, "", err
	}
	if m.snap != nil {
		m.old = append(m.old, m.snap)
	}
	m.snap, m.engine, m.checked = snap, &scan.Engine{Index: ix}, time.Now()
	m.log.Info("advisory snapshot loaded", "snapshot", snap.ID(), "records", ix.RecordCount())
	return m.engine, snap.ID(), nil
}

func (m *matcher) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range append(m.old, m.snap) {
		if s != nil {
			s.Close()
		}
	}
	m.snap, m.engine, m.old = nil, nil, nil
}
