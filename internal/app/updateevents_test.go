package app_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
)

// recordPackages returns the distinct packages ("ecosystem/name") a
// record of an OSV zip affects.
func recordPackages(t *testing.T, zipPath, entry string) []string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(entry)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Affected []struct {
			Package struct{ Ecosystem, Name string } `json:"package"`
		} `json:"affected"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range rec.Affected {
		k := a.Package.Ecosystem + "/" + a.Package.Name
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// updateEvents returns the details of the Advisory Database Updated events
// of the client's account that replaced snapshot previous, each checked
// against the schema.
func updateEvents(t *testing.T, c *client, previous string) []event.AdvisoryDatabaseUpdatedDetail {
	t.Helper()
	var out []event.AdvisoryDatabaseUpdatedDetail
	for _, e := range publishedEvents(t, c, event.OutboxAdvisoryDatabaseUpdated, "") {
		var d event.AdvisoryDatabaseUpdatedDetail
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			t.Fatal(err)
		}
		if d.PreviousSnapshotID == previous {
			out = append(out, d)
		}
	}
	return out
}

// TestAdvisoryUpdateEvent runs the server on each store with an updater
// reading a local feed mirror. Two pushed hosts are scanned against a
// database without the lodash advisory; the mirror then publishes it. The
// update's rematch gives one host a new finding, and Advisory Database
// Updated names the new snapshot, the one it replaced, the diff (one
// record added, its packages) and one resource newly affected.
func TestAdvisoryUpdateEvent(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			ctx := context.Background()
			dir := t.TempDir()
			advDir, mirror := filepath.Join(dir, "advisories"), filepath.Join(dir, "mirror")
			reduced := filepath.Join(dir, "reduced", "all.zip")
			zipWithout(t, npmZip, reduced, lodashRecord)
			db, err := advisory.Open(advDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Import(ctx, reduced, advisory.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(mirror, "npm"), 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, reduced, filepath.Join(mirror, "npm", "all.zip"))
			imported, err := db.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), DB: dbURL, AdvisoryDir: advDir,
				UpdateInterval: 300 * time.Millisecond,
				Update:         advisory.UpdateOptions{Mirror: mirror, NoEnrich: true},
				Workers:        2, Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second,
				BootstrapToken: "update-events-token", Logger: quiet,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "update-events-token"}
			push := func(name string, pkgs ...string) model.ResourceID {
				t.Helper()
				var reg api.Registered
				if st := c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: name, Inventory: hostInventory(pkgs...)}, &reg); st >= 300 {
					t.Fatalf("push %s: %d", name, st)
				}
				return reg.Resource.ID
			}
			affected := push("web-1", "lodash@4.17.15")
			other := push("web-2", "minimist@1.2.0")
			waitSuccessful(t, c, affected)
			waitSuccessful(t, c, other)
			if hasLodashCVE(t, c, affected) {
				t.Fatalf("%s found before the update brought it", lodashCVE)
			}
			// The updater's first run takes the mirror's feed (the same
			// records under another feed name): a snapshot that touches no
			// package, announced at once with nothing affected.
			var first []event.AdvisoryDatabaseUpdatedDetail
			eventually(t, 20*time.Second, "the first update's event", func() bool {
				first = updateEvents(t, c, imported.Snapshot)
				return len(first) > 0
			})
			if len(first) != 1 || first[0].Diff != (event.DiffCounts{}) || first[0].ResourcesAffected != 0 {
				t.Fatalf("the first update's events: %+v", first)
			}
			before := first[0].SnapshotID

			copyFile(t, npmZip, filepath.Join(mirror, "npm", "all.zip"))
			var got []event.AdvisoryDatabaseUpdatedDetail
			eventually(t, 20*time.Second, "Advisory Database Updated", func() bool {
				got = updateEvents(t, c, before)
				return len(got) > 0
			})
			if !hasLodashCVE(t, c, affected) || hasLodashCVE(t, c, other) {
				t.Fatalf("after the rematch: %s on web-1 %v, on web-2 %v", lodashCVE, hasLodashCVE(t, c, affected), hasLodashCVE(t, c, other))
			}
			after, err := db.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var feeds []event.FeedVersion
			for _, f := range after.Feeds {
				feeds = append(feeds, event.FeedVersion{Name: f.Name, Fingerprint: f.SHA256, Records: f.Records})
			}
			want := event.AdvisoryDatabaseUpdatedDetail{
				SnapshotID: after.Snapshot, PreviousSnapshotID: before, Feeds: feeds,
				Diff:              event.DiffCounts{Added: 1, Packages: len(recordPackages(t, npmZip, lodashRecord))},
				ResourcesAffected: 1,
			}
			if diff := cmp.Diff([]event.AdvisoryDatabaseUpdatedDetail{want}, got); diff != "" {
				t.Errorf("Advisory Database Updated (-want +got):\n%s", diff)
			}
		})
	}
}
