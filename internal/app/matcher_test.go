package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/advisory"
)

// TestMatcherFollowsCurrent checks that the matcher notices a snapshot
// made current by another process (another handle on the advisory
// directory: the server's updater, seen from a `vigil worker`): get looks
// it up at most every matcherRecheck, latest at once.
func TestMatcherFollowsCurrent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const npm = npmFeed
	adv, updater, first := advisoriesWithoutLodash(t, dir)
	mine, err := advisory.Open(adv)
	if err != nil {
		t.Fatal(err)
	}
	m := &matcher{db: mine, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	defer m.close()
	if _, id, err := m.get(ctx, ""); err != nil || id != first.Snapshot {
		t.Fatalf("get = %s, %v; want %s", id, err, first.Snapshot)
	}
	second, err := updater.Import(ctx, npm, advisory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Snapshot == first.Snapshot {
		t.Fatal("the import made no new snapshot")
	}
	if _, id, err := m.get(ctx, ""); err != nil || id != first.Snapshot {
		t.Errorf("get within the recheck interval = %s, %v; want the loaded %s", id, err, first.Snapshot)
	}
	if _, id, err := m.latest(ctx); err != nil || id != second.Snapshot {
		t.Errorf("latest = %s, %v; want the new current %s", id, err, second.Snapshot)
	}
	third, err := updater.Import(ctx, filepath.Join(dir, "reduced.zip"), advisory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	m.checked = m.checked.Add(-matcherRecheck) // the interval has passed
	m.mu.Unlock()
	if _, id, err := m.get(ctx, ""); err != nil || id != third.Snapshot {
		t.Errorf("get after the recheck interval = %s, %v; want %s", id, err, third.Snapshot)
	}
}
