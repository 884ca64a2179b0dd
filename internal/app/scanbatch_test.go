package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// scanFixture is an app without workers holding realistic host mixes, each
// with a queued scan job.
type scanFixture struct {
	a     *App
	acct  model.AccountID
	hosts []model.Resource
}

func newScanFixture(t *testing.T, dir, adv string, mix *hostMix, hosts int) *scanFixture {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := New(ctx, Config{DataDir: dir, AdvisoryDir: adv, Workers: -1, NoBootstrap: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	f := &scanFixture{a: a}
	err = a.store.InTx(ctx, func(tx store.Tx) error {
		org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "o")
		if err != nil {
			return err
		}
		acct, err := tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "a", DelegatedAdmin: true})
		if err != nil {
			return err
		}
		f.acct = acct.ID
		sc := store.AccountScope(acct.ID)
		for h := range hosts {
			inv := mix.host(h)
			res, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: inv.Target.Name})
			if err != nil {
				return err
			}
			enc, err := store.EncodeForStage(inv)
			if err != nil {
				return err
			}
			if _, err := tx.Inventories(sc).Stage(ctx, res.ID, enc); err != nil { // as a push does
				return err
			}
			f.hosts = append(f.hosts, res)
			if err := f.enqueue(ctx, tx, api.ScanPayload{ResourceID: res.ID, Reason: "registered"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *scanFixture) enqueue(ctx context.Context, tx store.Tx, p api.ScanPayload) error {
	payload, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, _, err = tx.Jobs().Enqueue(ctx, model.Job{Kind: api.KindScan, AccountID: f.acct, Payload: payload, Priority: 10})
	return err
}

// coverage returns each host's coverage status and reason by name.
func (f *scanFixture) coverage(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := f.a.store.View(context.Background(), func(tx store.Tx) error {
		for _, h := range f.hosts {
			r, err := tx.Resources(store.SystemScope()).Get(context.Background(), h.ID)
			if err != nil {
				return err
			}
			out[r.Name] = string(r.Coverage.Status) + " " + string(r.Coverage.Reason)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestScanBatchEqualsSingleScans scans the same hosts in two servers, one
// job at a time in one and as one batch in the other: every finding and
// every coverage must end the same, every job of the batch must be acked
// with its results (no job left), and the jobs that cannot be done must be
// settled on their own: a malformed payload fails permanently, a scan of a
// deleted resource is done with nothing written, a second scan of a host
// in the batch is written after the first, and a job whose lease was lost
// writes nothing.
func TestScanBatchEqualsSingleScans(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	adv := filepath.Join(dir, "advisories")
	db, err := advisory.Open(adv)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/osv/npm/all.zip", "/osv/PyPI/all.zip", "/osv/Go/all.zip", "/kev/known_exploited_vulnerabilities.json"} {
		if _, err := db.Import(ctx, testdataDir+p, advisory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mix := newHostMix(t)
	const hosts = 10
	single := newScanFixture(t, filepath.Join(dir, "single"), adv, mix, hosts)
	batch := newScanFixture(t, filepath.Join(dir, "batch"), adv, mix, hosts)

	q := single.a.store.Queue()
	for {
		l, err := q.Lease(ctx, "w", []model.JobKind{api.KindScan}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if l == nil {
			break
		}
		if err := single.a.handleScan(ctx, l.Job); err != nil {
			t.Fatal(err)
		}
		if err := q.Ack(ctx, l); err != nil {
			t.Fatal(err)
		}
	}

	// The batch also holds a malformed job, the scan of a resource deleted
	// since, and a job whose lease another worker holds.
	gone := model.ResourceID("res-deleted")
	err = batch.a.store.InTx(ctx, func(tx store.Tx) error {
		if _, _, err := tx.Jobs().Enqueue(ctx, model.Job{Kind: api.KindScan, AccountID: batch.acct, Payload: []byte("{"), Priority: 10}); err != nil {
			return err
		}
		if err := batch.enqueue(ctx, tx, api.ScanPayload{ResourceID: gone, Reason: "requested"}); err != nil {
			return err
		}
		// A second scan of a host in the same batch.
		return batch.enqueue(ctx, tx, api.ScanPayload{ResourceID: batch.hosts[hosts-1].ID, Reason: "requested"})
	})
	if err != nil {
		t.Fatal(err)
	}
	bq := batch.a.store.Queue()
	leases, err := bq.LeaseBatch(ctx, "w", api.KindScan, time.Minute, scanBatchMax)
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) != hosts+3 {
		t.Fatalf("leased %d jobs, want %d", len(leases), hosts+3)
	}
	stolen := leases[0]
	var stolenRes api.ScanPayload
	if err := json.Unmarshal(stolen.Job.Payload, &stolenRes); err != nil {
		t.Fatal(err)
	}
	held := *stolen
	held.Token = "another-worker"
	leases[0] = &held
	errs := batch.a.handleScanBatch(ctx, leases)
	var ll *store.LeaseLostError
	var perm *job.PermanentError
	for i, l := range leases {
		var p api.ScanPayload
		_ = json.Unmarshal(l.Job.Payload, &p)
		switch {
		case i == 0:
			if !errors.As(errs[i], &ll) {
				t.Errorf("job with a lost lease: %v, want *store.LeaseLostError", errs[i])
			}
		case string(l.Job.Payload) == "{":
			if !errors.As(errs[i], &perm) {
				t.Errorf("malformed job: %v, want a permanent error", errs[i])
			}
		default:
			if errs[i] != nil {
				t.Errorf("job %d (%s): %v", l.Job.ID, p.ResourceID, errs[i])
			}
		}
	}
	st, err := bq.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Left: the malformed job (the pool buries it) and the stolen one.
	if st[model.JobLeased] != 2 || st[model.JobQueued] != 0 {
		t.Errorf("queue after the batch: %v, want the 2 unsettled jobs leased and nothing else", st)
	}
	// The stolen job's host was not written: it is the only difference.
	want, got := findingsByHost(t, single.a), findingsByHost(t, batch.a)
	wantCov, gotCov := single.coverage(t), batch.coverage(t)
	var stolenName string
	for _, h := range batch.hosts {
		if h.ID == stolenRes.ResourceID {
			stolenName = h.Name
		}
	}
	if stolenName == "" {
		t.Fatal("the stolen job is not a host's")
	}
	if c := gotCov[stolenName]; c != "INACTIVE PENDING_INITIAL_SCAN" {
		t.Errorf("coverage of the host whose job's lease was lost: %q, want it unscanned", c)
	}
	for k := range want {
		if k.Host == stolenName {
			if _, ok := got[k]; ok {
				t.Errorf("%v written for a job whose lease was lost", k)
			}
			delete(want, k)
		}
	}
	delete(wantCov, stolenName)
	delete(gotCov, stolenName)
	if len(want) == 0 {
		t.Fatal("no findings to compare")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings of a batch differ from single scans (-single +batch):\n%s", diff)
	}
	if diff := cmp.Diff(wantCov, gotCov); diff != "" {
		t.Errorf("coverage of a batch differs from single scans (-single +batch):\n%s", diff)
	}
	// The scans wrote the package index of the inventories they matched
	// (every host holds lodash); the host whose job was not done stays
	// staged until maintenance indexes it.
	lodash := []store.PackageRef{{Ecosystem: "npm", Name: "lodash"}}
	holders := func(a *App) int {
		var refs []store.ResourceRef
		err := a.store.View(ctx, func(tx store.Tx) error {
			var err error
			refs, err = tx.Inventories(store.SystemScope()).ResourcesWithPackages(ctx, lodash)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return len(refs)
	}
	if n := holders(single.a); n != hosts {
		t.Errorf("%d hosts indexed by single scans, want %d", n, hosts)
	}
	if n := holders(batch.a); n != hosts-1 {
		t.Errorf("%d hosts indexed by the batch, want %d (all but the stolen job's)", n, hosts-1)
	}
	if n, err := batch.a.indexStaged(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("indexStaged before the grace = %d, %v; want nothing", n, err)
	}
	if n, err := batch.a.indexStaged(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("indexStaged = %d, %v; want the stolen job's host", n, err)
	}
	if n := holders(batch.a); n != hosts {
		t.Errorf("%d hosts indexed after maintenance, want %d", n, hosts)
	}
}

// TestScanWriteRematchesStale checks that a scan matched with one advisory
// snapshot and written after a newer one was loaded writes the newer
// snapshot's findings: a rematch for the newer one may already have
// reconciled the resource, and older results must not replace them.
func TestScanWriteRematchesStale(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const npm = npmFeed
	const lodash = "GHSA-35jh-r3h4-6jhm" // lodashRecord's id
	adv, db, _ := advisoriesWithoutLodash(t, dir)
	f := newScanFixture(t, filepath.Join(dir, "data"), adv, newHostMix(t), 1)
	l, err := f.a.store.Queue().Lease(ctx, "w", []model.JobKind{api.KindScan}, time.Minute)
	if err != nil || l == nil {
		t.Fatalf("lease: %v, %v", l, err)
	}
	w, err := f.a.prepareScan(ctx, l.Job)
	if err != nil || w == nil {
		t.Fatalf("prepare: %v, %v", w, err)
	}
	for _, m := range w.ms {
		for _, v := range m.Vulnerabilities {
			for _, e := range v.Evidence {
				if e.Advisory == lodash {
					t.Fatalf("%s matched before the update", lodash)
				}
			}
		}
	}
	res, err := db.Import(ctx, npm, advisory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.a.matcher.get(ctx, res.Snapshot); err != nil {
		t.Fatal(err)
	}
	if err := f.a.writeScanAlone(ctx, l, w); err != nil {
		t.Fatal(err)
	}
	found := false
	err = f.a.store.View(ctx, func(tx store.Tx) error {
		fs, err := tx.Findings(store.SystemScope()).ForResource(ctx, w.res.ID)
		for _, fd := range fs {
			if fd.SnapshotID != res.Snapshot {
				t.Errorf("finding %s of snapshot %s, want %s", fd.CheckID, fd.SnapshotID, res.Snapshot)
			}
			for _, e := range fd.Package.Evidence {
				found = found || e.Advisory == lodash
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Errorf("no %s finding after the write: the scan wrote the older snapshot's results", lodash)
	}
}
