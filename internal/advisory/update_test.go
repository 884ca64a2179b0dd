package advisory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/advisory/debian"
	"github.com/vigilsec/vigil/internal/osv"
)

var fastRetry = RetryPolicy{Attempts: 3, Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}

func TestUpdateMirrorConditional(t *testing.T) {
	ctx := context.Background()
	ecos := []string{"npm", "crates.io", "Go"}
	b, srv := newBucket(t, mirrorOf(t, ecos...))
	db := openTemp(t)
	res, err := db.Update(ctx, UpdateOptions{Mirror: srv.URL, Ecosystems: ecos, NoEnrich: true, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	if b.fullCount() != 3 {
		t.Fatalf("first update: %d full downloads, want 3", b.fullCount())
	}
	got := map[string]int{}
	for _, f := range res.Feeds {
		if f.Status != FeedUpdated {
			t.Errorf("feed %s: %s", f.Name, f.Status)
		}
		got[f.Name] = f.Records
	}
	want := map[string]int{}
	for _, e := range ecos {
		want[OSVFeedName(e)] = len(zipIDs(t, filepath.Join(osvDir, e, "all.zip")))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-zip +update):\n%s", d)
	}
	w, err := db.Wanted()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"Go", "npm", "crates.io"}, w); d != "" {
		t.Errorf("wanted (-want +got):\n%s", d)
	}

	// Again, without --ecosystem: the persisted set is used, nothing is
	// transferred, and the snapshot is kept.
	before := b.fullCount()
	res2, err := db.Update(ctx, UpdateOptions{Mirror: srv.URL, NoEnrich: true, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	if n := b.fullCount() - before; n != 0 {
		t.Errorf("second update transferred %d archives, want 0", n)
	}
	if !res2.Unchanged || res2.Snapshot != res.Snapshot {
		t.Errorf("second update: unchanged=%v snapshot=%s, want unchanged %s", res2.Unchanged, res2.Snapshot, res.Snapshot)
	}
	if b.notModified != 3 {
		t.Errorf("%d conditional 304s, want 3", b.notModified)
	}
	for _, f := range res2.Feeds {
		if f.Status != FeedUnchanged || f.Transferred != 0 {
			t.Errorf("feed %s: %s, %d bytes", f.Name, f.Status, f.Transferred)
		}
	}
}

func TestUpdateDiff(t *testing.T) {
	ctx := context.Background()
	dir := mirrorOf(t, "npm", "Go")
	_, srv := newBucket(t, dir)
	db := openTemp(t)
	opts := UpdateOptions{Mirror: srv.URL, Ecosystems: []string{"npm", "Go"}, NoEnrich: true, Retry: fastRetry}
	if _, err := db.Update(ctx, opts); err != nil {
		t.Fatal(err)
	}

	// Change the npm archive: drop one record, edit one, withdraw one and
	// add one taken from the Go archive.
	zpath := filepath.Join(dir, "npm", "all.zip")
	entries := readZip(t, zpath)
	slices.SortFunc(entries, func(a, b zipEntry) int { return strings.Compare(a.name, b.name) })
	var live []zipEntry
	for _, e := range entries {
		r, err := osv.Parse(e.name, e.data)
		if err != nil {
			t.Fatal(err)
		}
		if !r.IsWithdrawn() {
			live = append(live, e)
		}
	}
	dropped, edited, withdrawn := live[0], live[1], live[2]
	goEntry := readZip(t, filepath.Join(osvDir, "Go", "all.zip"))[0]
	added := zipEntry{"VIGIL-TEST-1.json", editRecord(t, goEntry.data, map[string]any{"id": "VIGIL-TEST-1"})}
	var next []zipEntry
	for _, e := range entries {
		switch e.name {
		case dropped.name:
		case edited.name:
			next = append(next, zipEntry{e.name, editRecord(t, e.data, map[string]any{"summary": "changed", "modified": "2026-11-01T00:00:00Z"})})
		case withdrawn.name:
			next = append(next, zipEntry{e.name, editRecord(t, e.data, map[string]any{"withdrawn": "2026-11-01T00:00:00Z"})})
		default:
			next = append(next, e)
		}
	}
	next = append(next, added)
	writeZip(t, zpath, next)

	res, err := db.Update(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	id := func(e zipEntry) string { return strings.TrimSuffix(e.name, ".json") }
	want := Diff{
		Added:     []string{"VIGIL-TEST-1"},
		Modified:  []string{id(edited)},
		Withdrawn: sorted(id(dropped), id(withdrawn)),
		Packages:  packagesOf(t, dropped, edited, withdrawn, added),
	}
	if d := cmp.Diff(want, res.Diff); d != "" {
		t.Errorf("diff (-want +got):\n%s", d)
	}
	persisted, err := db.Diff(res.Snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(res.Diff, *persisted); d != "" {
		t.Errorf("persisted diff differs:\n%s", d)
	}
	for _, f := range res.Feeds {
		wantStatus := map[string]string{"osv/npm": FeedUpdated, "osv/Go": FeedUnchanged}[f.Name]
		if f.Status != wantStatus {
			t.Errorf("feed %s: %s, want %s", f.Name, f.Status, wantStatus)
		}
	}
	s := current(t, db)
	if _, err := s.Record(ctx, id(dropped)); err == nil {
		t.Errorf("dropped record %s still readable", id(dropped))
	}
	r, err := s.Record(ctx, id(edited))
	if err != nil || r.Summary != "changed" {
		t.Errorf("edited record: %v %v", r, err)
	}
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// packagesOf lists the (base ecosystem, name) pairs of records, computed
// from the JSON directly.
func packagesOf(t *testing.T, es ...zipEntry) []PackageRef {
	seen := map[PackageRef]bool{}
	for _, e := range es {
		r, err := osv.Parse(e.name, e.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Affected {
			eco, _, _ := strings.Cut(a.Package.Ecosystem, ":")
			seen[PackageRef{eco, a.Package.Name}] = true
		}
	}
	var out []PackageRef
	for p := range seen {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b PackageRef) int {
		if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func TestUpdateRetries(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		fail   failSpec
		wantOK bool
	}{
		{"503 twice then ok", failSpec{n: 2, status: 503, retryAfter: "0"}, true},
		{"429 with Retry-After", failSpec{n: 1, status: 429, retryAfter: "0"}, true},
		{"503 for good", failSpec{n: 10, status: 503}, false},
		{"403 is not retried", failSpec{n: 1, status: 403}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, srv := newBucket(t, mirrorOf(t, "npm"))
			b.fail["/npm/all.zip"] = tc.fail
			db := openTemp(t)
			res, err := db.Update(ctx, UpdateOptions{Mirror: srv.URL, Ecosystems: []string{"npm"}, NoEnrich: true, Retry: fastRetry})
			if tc.wantOK {
				if err != nil {
					t.Fatal(err)
				}
				if res.Feeds[0].Status != FeedUpdated {
					t.Errorf("status %s", res.Feeds[0].Status)
				}
				return
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.StatusCode != tc.fail.status {
				t.Fatalf("got %v, want HTTP %d", err, tc.fail.status)
			}
			left := b.fail["/npm/all.zip"].n
			wantTries := fastRetry.Attempts
			if tc.fail.status == 403 {
				wantTries = 1
			}
			if tries := tc.fail.n - left; tries != wantTries {
				t.Errorf("%d attempts, want %d", tries, wantTries)
			}
			var nd *NoDatabaseError
			if _, err := db.Current(ctx); !errors.As(err, &nd) {
				t.Errorf("a failed first update left a database: %v", err)
			}
		})
	}
}

func TestUpdateStall(t *testing.T) {
	b, srv := newBucket(t, mirrorOf(t, "Go"))
	b.stall = "/Go/all.zip"
	db := openTemp(t)
	_, err := db.Update(context.Background(), UpdateOptions{
		Mirror: srv.URL, Ecosystems: []string{"Go"}, NoEnrich: true,
		HTTP:  &HTTPClient{StallTimeout: 200 * time.Millisecond},
		Retry: RetryPolicy{Attempts: 2, Base: time.Millisecond},
	})
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("got %v, want ErrStalled", err)
	}
}

func TestUpdateNothingWanted(t *testing.T) {
	db := openTemp(t)
	var nw *NothingWantedError
	if _, err := db.Update(context.Background(), UpdateOptions{NoEnrich: true}); !errors.As(err, &nw) {
		t.Fatalf("got %v, want *NothingWantedError", err)
	}
	var ue *UnknownEcosystemError
	if _, err := db.Update(context.Background(), UpdateOptions{Ecosystems: []string{"Nope"}}); !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnknownEcosystemError", err)
	}
}

func TestWant(t *testing.T) {
	db := openTemp(t)
	if err := db.Want("Debian:12", "pypi", "Wolfi", "Go", "PyPI", "Ubuntu:22.04:LTS"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Wanted()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"Debian", "Ubuntu", "Go", "PyPI"}, got); d != "" {
		t.Errorf("wanted (-want +got):\n%s", d)
	}
}

func TestUpdateNativeFallback(t *testing.T) {
	ctx := context.Background()
	dir := mirrorOf(t, "npm")
	for _, k := range []string{"DSA", "DLA"} {
		copyFile(t, filepath.Join(testdata, "debian-security-tracker", k+"-list"), filepath.Join(dir, "debian", k))
	}
	for _, repo := range []string{"main", "community"} {
		copyFile(t, filepath.Join(testdata, "alpine-secdb", "v3.10", repo+".json"), filepath.Join(dir, "alpine", "v3.10", repo+".json"))
	}
	_, srv := newBucket(t, dir)
	db := openTemp(t)
	res, err := db.Update(ctx, UpdateOptions{
		Mirror: srv.URL, Ecosystems: []string{"npm", "Debian", "Alpine"}, NoEnrich: true, Retry: fastRetry,
		DebianDSAURL: srv.URL + "/debian/DSA", DebianDLAURL: srv.URL + "/debian/DLA",
		AlpineURL: srv.URL + "/alpine", AlpineBranches: []string{"v3.10"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	records := map[string]int{}
	for _, f := range res.Feeds {
		got[f.Name] = f.Status
		records[f.Name] = f.Records
	}
	want := map[string]string{
		"osv/npm": FeedUpdated, "osv/Debian": FeedMissing, "osv/Alpine": FeedMissing,
		"debian/DSA": FeedUpdated, "debian/DLA": FeedUpdated,
		"alpine-secdb/v3.10/main": FeedUpdated, "alpine-secdb/v3.10/community": FeedUpdated, "alpine/secdb": FeedUpdated,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("feed states (-want +got):\n%s", d)
	}
	f, err := os.Open(filepath.Join(testdata, "debian-security-tracker", "DSA-list"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := debian.ParseTrackerList(f, "DSA")
	if err != nil {
		t.Fatal(err)
	}
	if records["debian/DSA"] != len(recs) {
		t.Errorf("debian/DSA: %d records, converter gives %d", records["debian/DSA"], len(recs))
	}
	s := current(t, db)
	if got := s.FeedOf(recs[0].ID); got != "debian/DSA" {
		t.Errorf("FeedOf(%s) = %q", recs[0].ID, got)
	}
	r, err := s.Record(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(recs[0].Affected, r.Affected); d != "" {
		t.Errorf("stored record differs from converted (-conv +stored):\n%s", d)
	}
}
