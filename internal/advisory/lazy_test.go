package advisory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestRecordFromTouchesOneFeed checks that RecordFrom reads only the named
// feed, returns what Record returns for FeedOf(id), survives the removal
// of the feed's files once the snapshot is open, and that an unknown feed
// falls back to Record.
func TestRecordFromTouchesOneFeed(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	for _, eco := range []string{"npm", "crates.io"} {
		if _, err := db.Import(ctx, filepath.Join(osvDir, eco, "all.zip"), ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	db2, err := Open(db.Dir()) // a fresh process: no cached indexes
	if err != nil {
		t.Fatal(err)
	}
	s := current(t, db2)
	var npm int = -1
	for i, af := range s.advisory {
		if af.entry.Name == "osv/npm" {
			npm = i
		}
	}
	if npm < 0 {
		t.Fatal("no osv/npm feed")
	}
	// Remove the npm blob and its index: the open snapshot must still read them.
	for _, p := range []string{db.blobPath(s.advisory[npm].entry.Blob), db.blobPath(s.advisory[npm].entry.Blob) + indexSuffix} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	const id = "GHSA-27h2-hvpr-p74q"
	r, err := s.RecordFrom(ctx, "osv/npm", id)
	if err != nil || r.ID != id {
		t.Fatalf("RecordFrom: %v, %v", r, err)
	}
	for i, af := range s.advisory {
		if i != npm && (af.index != nil || af.zip != nil) {
			t.Errorf("RecordFrom(osv/npm) loaded feed %s", af.entry.Name)
		}
	}
	if s.byID != nil {
		t.Error("RecordFrom built the whole-snapshot id table")
	}
	var nf *NotFoundError
	if _, err := s.RecordFrom(ctx, "osv/npm", "RUSTSEC-0000-0000"); !errors.As(err, &nf) {
		t.Errorf("RecordFrom of a missing id: %v, want *NotFoundError", err)
	}
	n := 0
	for rec, err := range s.Records(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		feed := s.FeedOf(rec.ID)
		a, err := s.RecordFrom(ctx, feed, rec.ID)
		if err != nil {
			t.Fatalf("RecordFrom(%s, %s): %v", feed, rec.ID, err)
		}
		if !reflect.DeepEqual(a, rec) {
			t.Errorf("RecordFrom(%s, %s) differs from Records", feed, rec.ID)
		}
		b, err := s.RecordFrom(ctx, "no/such-feed", rec.ID)
		if err != nil || !reflect.DeepEqual(b, rec) {
			t.Errorf("RecordFrom of an unknown feed does not fall back to Record: %v", err)
		}
		n++
	}
	if n == 0 || n != s.RecordCount() {
		t.Errorf("%d records, count %d", n, s.RecordCount())
	}
}

func TestReadOpenFileCapped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i)
	}
	writeFile(t, p, data)
	got, err := readFileCapped(p, int64(len(data)))
	if err != nil || !reflect.DeepEqual(got, data) {
		t.Errorf("readFileCapped at the limit: %d bytes, %v", len(got), err)
	}
	var tl *TooLargeError
	if _, err := readFileCapped(p, int64(len(data))-1); !errors.As(err, &tl) {
		t.Errorf("readFileCapped over the limit: %v, want *TooLargeError", err)
	}
	writeFile(t, p, nil)
	if got, err := readFileCapped(p, 10); err != nil || len(got) != 0 {
		t.Errorf("empty file: %q, %v", got, err)
	}
}
