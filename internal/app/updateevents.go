package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// pendingUpdates remembers, between an advisory update and the end of its
// rematch, the snapshot each update replaced (previousSnapshotId of
// Advisory Database Updated). It is a hint: after a restart the field is
// left out.
type pendingUpdates struct {
	mu   sync.Mutex
	prev map[string]string // snapshot → previous snapshot
}

func (p *pendingUpdates) put(snapshot, previous string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.prev == nil {
		p.prev = map[string]string{}
	}
	p.prev[snapshot] = previous
}

func (p *pendingUpdates) take(snapshot string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	prev := p.prev[snapshot]
	delete(p.prev, snapshot)
	return prev
}

// noteUpdate is called by the updater once a new snapshot is loaded,
// before its rematch is queued (so a quick rematch finds the note). When
// the update touched no package there is no rematch to wait for: Advisory
// Database Updated is written at once, with no resource affected.
// Otherwise it is written when the rematch ends (handleRematchAndAnnounce).
func (a *App) noteUpdate(ctx context.Context, res *advisory.UpdateResult) {
	if res.Previous != "" && len(res.Diff.Packages) == 0 {
		if err := a.announceUpdate(ctx, res.Snapshot, res.Previous); err != nil {
			a.log.Warn("cannot announce the advisory update", "snapshot", res.Snapshot, "err", err)
		}
		return
	}
	a.pending.put(res.Snapshot, res.Previous)
}

// handleRematchAndAnnounce runs a rematch job and, once it succeeded,
// writes Advisory Database Updated for its snapshot: only then is it known
// which resources the update newly affected. A failed announcement fails
// the job, which is retried (the rematch is idempotent).
func (a *App) handleRematchAndAnnounce(ctx context.Context, j model.Job) error {
	if err := a.handleRematch(ctx, j); err != nil {
		return err
	}
	var p RematchPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Snapshot == "" {
		return nil // handleRematch refused it already
	}
	return a.announceUpdate(ctx, p.Snapshot, a.pending.take(p.Snapshot))
}

// announceUpdate writes one Advisory Database Updated event per account,
// in one transaction, each counting that account's resources newly
// affected by the snapshot: those with a finding first observed with it
// (since the snapshot was made) and still last observed with it.
func (a *App) announceUpdate(ctx context.Context, snapshot, previous string) error {
	base := event.AdvisoryDatabaseUpdatedDetail{SnapshotID: snapshot, PreviousSnapshotID: previous, Feeds: []event.FeedVersion{}}
	if d, err := a.db.Diff(snapshot); err == nil {
		base.Diff = event.DiffCounts{Added: len(d.Added), Modified: len(d.Modified), Withdrawn: len(d.Withdrawn), Packages: len(d.Packages)}
	} else {
		a.log.Warn("advisory update announced without its diff", "snapshot", snapshot, "err", err)
	}
	created := time.Time{}
	if s := a.matcher.snapshot(snapshot); s != nil {
		created = s.CreatedAt()
		for _, f := range s.Feeds() {
			base.Feeds = append(base.Feeds, event.FeedVersion{Name: f.Name, Fingerprint: f.SHA256, Records: f.Records})
		}
	}
	return a.store.InTx(ctx, func(tx store.Tx) error {
		sys := store.SystemScope()
		accts, err := tx.Accounts(sys).List(ctx, "")
		if err != nil {
			return err
		}
		affected, err := newlyAffected(ctx, tx, snapshot, created)
		if err != nil {
			return err
		}
		evs := make([]model.Event, 0, len(accts))
		for _, acct := range accts {
			d := base
			d.ResourcesAffected = affected[acct.ID]
			payload, err := json.Marshal(d)
			if err != nil {
				return err
			}
			evs = append(evs, model.Event{AccountID: acct.ID, Type: event.OutboxAdvisoryDatabaseUpdated, Subject: snapshot, Payload: payload})
		}
		if len(evs) == 0 {
			return nil
		}
		return tx.Outbox(sys).Append(ctx, evs...)
	})
}

// newlyAffected counts, by account, the resources with a finding first
// observed at or after since and last observed with snapshot.
func newlyAffected(ctx context.Context, tx store.Tx, snapshot string, since time.Time) (map[model.AccountID]int, error) {
	f := model.FindingFilter{}
	if !since.IsZero() {
		f.FirstObservedAt = []model.DateFilter{{Start: since}}
	}
	seen := map[model.ResourceID]bool{}
	out := map[model.AccountID]int{}
	fs := tx.Findings(store.SystemScope())
	sort := store.FindingSort{Field: store.SortFirstObservedAt, Order: store.Asc}
	for cursor := ""; ; {
		page, next, err := fs.List(ctx, f, sort, cursor, 1000)
		if err != nil {
			return nil, fmt.Errorf("findings of snapshot %s: %w", snapshot, err)
		}
		for i := range page {
			r := &page[i]
			if r.SnapshotID == snapshot && !seen[r.Resource.ID] {
				seen[r.Resource.ID] = true
				out[r.AccountID]++
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// snapshot returns the loaded snapshot with id (the current one or one it
// replaced while the app runs), or nil.
func (m *matcher) snapshot(id string) *advisory.Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap != nil && m.snap.ID() == id {
		return m.snap
	}
	if i := slices.IndexFunc(m.old, func(s *advisory.Snapshot) bool { return s.ID() == id }); i >= 0 {
		return m.old[i]
	}
	return nil
}
