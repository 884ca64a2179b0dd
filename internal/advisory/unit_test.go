package advisory

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDiffViews(t *testing.T) {
	p := func(eco, name string) []PackageRef { return []PackageRef{{eco, name}} }
	e := func(id, hash string, withdrawn bool, pkgs []PackageRef) *indexEntry {
		return &indexEntry{ID: id, Hash: hash, Withdrawn: withdrawn, Packages: pkgs}
	}
	for _, tc := range []struct {
		name string
		a, b view
		want Diff
	}{
		{"first snapshot", view{}, view{"A": e("A", "1", false, p("npm", "x")), "W": e("W", "1", true, p("npm", "w"))},
			Diff{Added: []string{"A"}, Packages: p("npm", "x")}},
		{"same", view{"A": e("A", "1", false, p("npm", "x"))}, view{"A": e("A", "1", false, p("npm", "x"))}, Diff{}},
		{"modified touches old and new packages", view{"A": e("A", "1", false, p("npm", "x"))}, view{"A": e("A", "2", false, p("npm", "y"))},
			Diff{Modified: []string{"A"}, Packages: []PackageRef{{"npm", "x"}, {"npm", "y"}}}},
		{"gone", view{"A": e("A", "1", false, p("Go", "m"))}, view{}, Diff{Withdrawn: []string{"A"}, Packages: p("Go", "m")}},
		{"withdrawn in feed", view{"A": e("A", "1", false, p("Go", "m"))}, view{"A": e("A", "2", true, p("Go", "m"))},
			Diff{Withdrawn: []string{"A"}, Packages: p("Go", "m")}},
		{"reinstated", view{"A": e("A", "1", true, p("Go", "m"))}, view{"A": e("A", "2", false, p("Go", "m"))},
			Diff{Modified: []string{"A"}, Packages: p("Go", "m")}},
		{"withdrawn stays withdrawn", view{"A": e("A", "1", true, p("Go", "m"))}, view{}, Diff{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diffViews(tc.a, tc.b)
			if d := cmp.Diff(tc.want, *got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{"-3", 0},
		{"junk", 0},
		{"999999", 10 * time.Minute},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	p := RetryPolicy{Base: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	for n := 1; n <= 6; n++ {
		full := min(p.Base<<(n-1), p.Max)
		d := p.delay(n, errors.New("x"))
		if d < full/2 || d > full {
			t.Errorf("delay(%d) = %v, want in [%v, %v]", n, d, full/2, full)
		}
	}
	if d := p.delay(1, &HTTPError{StatusCode: 429, RetryAfter: 700 * time.Millisecond}); d != 700*time.Millisecond {
		t.Errorf("Retry-After not honoured: %v", d)
	}
	if d := p.delay(1, &HTTPError{StatusCode: 429, RetryAfter: time.Hour}); d != p.Max {
		t.Errorf("Retry-After not capped: %v", d)
	}
}

func TestSizeCap(t *testing.T) {
	db := openTemp(t)
	_, err := db.Import(context.Background(), filepath.Join(osvDir, "npm", "all.zip"), ImportOptions{Common: Common{MaxFeedSize: 1000}})
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("got %v, want *TooLargeError", err)
	}
}

// TestConcurrentImports runs importers on one directory at once: the lock
// serialises them and every result is a complete snapshot.
func TestConcurrentImports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(dir)
			if err == nil {
				eco := []string{"npm", "Ubuntu", "Maven", "npm"}[i]
				_, err = db.Import(context.Background(), filepath.Join(osvDir, eco, "all.zip"), ImportOptions{})
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db, _ := Open(dir)
	s := current(t, db)
	ids := map[string]bool{}
	for _, eco := range []string{"npm", "Ubuntu", "Maven"} {
		for _, id := range zipIDs(t, filepath.Join(osvDir, eco, "all.zip")) {
			ids[id] = true
		}
	}
	want := len(ids)
	n := 0
	for _, err := range s.Records(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != want || s.RecordCount() != want {
		t.Errorf("%d records read, count %d, zips hold %d", n, s.RecordCount(), want)
	}
}

func BenchmarkKEVLookup(b *testing.B) {
	db := openTemp(b)
	if _, err := db.Import(context.Background(), filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json"), ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	s := current(b, db)
	s.KEV("warm-up")
	for b.Loop() {
		s.KEV("CVE-2023-4863")
		s.EPSS("CVE-2023-4863")
	}
}

// TestHeldSnapshotSurvivesGC keeps a snapshot open while updates replace
// and garbage-collect its blobs: it must stay fully readable.
func TestHeldSnapshotSurvivesGC(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	kev := filepath.Join(testdata, "kev", "known_exploited_vulnerabilities.json")
	npm := filepath.Join(osvDir, "npm", "all.zip")
	for _, p := range []string{npm, kev} {
		if _, err := db.Import(ctx, p, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	held := current(t, db)
	entries := readZip(t, npm)
	for i := 1; i <= 3; i++ {
		p := filepath.Join(t.TempDir(), "npm", "all.zip")
		writeZip(t, p, entries[:len(entries)-i])
		if _, err := db.Import(ctx, p, ImportOptions{Common: Common{KeepSnapshots: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if fileExists(db.blobPath(held.Manifest().Feeds[0].Blob)) {
		t.Fatalf("old npm blob not collected")
	}
	if fileExists(db.snapPath(held.ID())) {
		t.Fatalf("old snapshot %s not collected", held.ID())
	}
	n := 0
	for _, err := range held.Records(ctx) {
		if err != nil {
			t.Fatalf("held snapshot unreadable after GC: %v", err)
		}
		n++
	}
	if n != len(entries) {
		t.Errorf("held snapshot read %d records, want %d", n, len(entries))
	}
	if _, ok := held.KEV("CVE-2023-4863"); !ok {
		t.Error("held snapshot lost its KEV data")
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&HTTPError{StatusCode: 503}, true},
		{&HTTPError{StatusCode: 429}, true},
		{&HTTPError{StatusCode: 404}, false},
		{io.ErrUnexpectedEOF, true},
		{ErrStalled, true},
		{context.Canceled, false},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, false},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{&VerifyError{File: "x"}, false},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestRecoverFromMissingBlob deletes a blob of the current snapshot: Current
// reports the damage as a *CorruptError, and the next import repairs the
// database instead of failing forever.
func TestRecoverFromMissingBlob(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	for _, eco := range []string{"npm", "Ubuntu"} {
		if _, err := db.Import(ctx, filepath.Join(osvDir, eco, "all.zip"), ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s := current(t, db)
	m := s.Manifest()
	s.Close()
	for _, f := range m.Feeds {
		if f.Name == "osv/Ubuntu" {
			if err := os.Remove(db.blobPath(f.Blob)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var ce *CorruptError
	if _, err := db.Current(ctx); !errors.As(err, &ce) {
		t.Fatalf("Current with a missing blob: %v, want *CorruptError", err)
	}
	res, err := db.Import(ctx, filepath.Join(osvDir, "npm", "all.zip"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s2 := current(t, db)
	if s2.ID() != res.Snapshot || s2.FeedOf("GHSA-27h2-hvpr-p74q") != "osv/npm" || len(s2.Feeds()) != 1 {
		t.Errorf("not repaired: snapshot %s, feeds %+v", s2.ID(), s2.Feeds())
	}
}

// TestRecoverFromDamagedManifest overwrites the current manifest with junk:
// the next import starts afresh instead of failing.
func TestRecoverFromDamagedManifest(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	first, err := db.Import(ctx, filepath.Join(osvDir, "npm", "all.zip"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(db.snapPath(first.Snapshot), manifestFile), []byte("{not json"))
	var ce *CorruptError
	if _, err := db.Status(ctx); !errors.As(err, &ce) {
		t.Fatalf("Status with a damaged manifest: %v, want *CorruptError", err)
	}
	res, err := db.Import(ctx, filepath.Join(osvDir, "Ubuntu", "all.zip"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Snapshot == first.Snapshot || res.Records != len(zipIDs(t, filepath.Join(osvDir, "Ubuntu", "all.zip"))) {
		t.Errorf("after repair: %+v", res)
	}
}
