package advisory

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// commit writes the snapshot directory under a temporary name, renames it
// into place and then replaces CURRENT by rename. A crash before the
// CURRENT rename leaves the previous snapshot current and intact; a crash
// after it leaves the new one complete.
func (db *DB) commit(ctx context.Context, m *Manifest, d *Diff) error {
	final := db.snapPath(m.ID)
	tmp := filepath.Join(db.dir, snapshotsDir, ".tmp-"+m.ID)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	mdata, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	ddata, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(tmp, manifestFile), append(mdata, '\n')); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(tmp, diffFile), append(ddata, '\n')); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	if err := syncDir(filepath.Join(db.dir, snapshotsDir)); err != nil {
		return err
	}
	testPause(ctx, "before-swap")
	if err := writeFileAtomic(db.currentPath(), []byte(m.ID+"\n")); err != nil {
		return err
	}
	testPause(ctx, "after-swap")
	return nil
}

// markChecked records that feeds were confirmed current without a new
// snapshot. It is best effort: only status output depends on it.
func (db *DB) markChecked(id string, feeds map[string]time.Time) {
	if len(feeds) == 0 {
		return
	}
	c := checkedState{Feeds: db.readChecked(id)}
	if c.Feeds == nil {
		c.Feeds = map[string]time.Time{}
	}
	for k, v := range feeds {
		c.Feeds[k] = v
	}
	data, err := json.Marshal(c)
	if err != nil {
		return
	}
	_ = writeFileAtomic(filepath.Join(db.snapPath(id), checkedFile), data)
}

// cleanStale removes what an interrupted run left behind: downloads in
// tmp/, half-written snapshot directories, temporary index files. Called
// with the update lock held.
func (db *DB) cleanStale(c Common) {
	if ents, err := os.ReadDir(db.tmpPath()); err == nil {
		for _, e := range ents {
			_ = os.RemoveAll(db.tmpPath(e.Name()))
		}
	}
	for _, sub := range []string{snapshotsDir, blobsDir} {
		ents, err := os.ReadDir(filepath.Join(db.dir, sub))
		if err != nil {
			continue
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				c.Logger.Debug("removing leftover", "path", filepath.Join(sub, e.Name()))
				_ = os.RemoveAll(filepath.Join(db.dir, sub, e.Name()))
			}
		}
	}
}

// gc keeps the newest c.KeepSnapshots snapshots (always the current one)
// and removes blobs none of them uses. Failures are logged, not returned:
// they only cost disk space.
func (db *DB) gc(c Common) {
	cur, _ := db.currentID()
	ents, err := os.ReadDir(filepath.Join(db.dir, snapshotsDir))
	if err != nil {
		return
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() && validSnapshotID(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	keep := map[string]bool{}
	if cur != "" {
		keep[cur] = true
	}
	for _, id := range ids {
		if len(keep) >= c.KeepSnapshots {
			break
		}
		if cur == "" || id < cur {
			keep[id] = true
		}
	}
	used := map[string]bool{}
	for _, id := range ids {
		// A snapshot newer than CURRENT was never current: a run died
		// between writing it and the swap.
		if !keep[id] || (cur != "" && id > cur) {
			del := filepath.Join(db.dir, snapshotsDir, ".del-"+id)
			if err := os.Rename(db.snapPath(id), del); err == nil {
				_ = os.RemoveAll(del)
			}
			continue
		}
		m, err := db.readManifest(id)
		if err != nil {
			c.Logger.Warn("gc: unreadable snapshot kept with its blobs", "snapshot", id, "err", err)
			return // do not delete blobs we cannot account for
		}
		for _, f := range m.Feeds {
			used[f.Blob] = true
		}
	}
	blobs, err := os.ReadDir(filepath.Join(db.dir, blobsDir))
	if err != nil {
		return
	}
	for _, b := range blobs {
		name := strings.TrimSuffix(b.Name(), indexSuffix)
		if !used[name] {
			_ = os.Remove(db.blobPath(b.Name()))
		}
	}
}

// testPause lets crash tests stop the process at a named point: when
// VIGIL_TEST_PAUSE equals point, it creates the file named by
// VIGIL_TEST_PAUSE_FILE and sleeps until ctx ends or a minute passes, so
// the test can SIGKILL it there.
func testPause(ctx context.Context, point string) {
	if os.Getenv("VIGIL_TEST_PAUSE") != point {
		return
	}
	if p := os.Getenv("VIGIL_TEST_PAUSE_FILE"); p != "" {
		_ = os.WriteFile(p, []byte(point), 0o644)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute):
	}
}
