package advisory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImportBucketCounts(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	res, err := db.Import(ctx, osvDir, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	allIDs := map[string]bool{}
	for _, eco := range ecosystemsIn(t) {
		ids := zipIDs(t, filepath.Join(osvDir, eco, "all.zip"))
		want[OSVFeedName(eco)] = len(ids)
		for _, id := range ids {
			allIDs[id] = true
		}
	}
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range st.Feeds {
		got[f.Name] = f.Records
		if f.Snapshot != res.Snapshot || f.Kind != KindOSV || f.SHA256 == "" {
			t.Errorf("feed %+v: want snapshot %s, kind osv and a hash", f, res.Snapshot)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("per-feed record counts (-zip +status):\n%s", d)
	}
	if st.Records != len(allIDs) || res.Records != len(allIDs) {
		t.Errorf("distinct records: status %d, result %d, zips %d", st.Records, res.Records, len(allIDs))
	}

	// Every record is readable, once, by iteration and by id.
	s := current(t, db)
	seen := map[string]bool{}
	for r, err := range s.Records(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[r.ID] {
			t.Fatalf("record %s yielded twice", r.ID)
		}
		seen[r.ID] = true
	}
	if len(seen) != len(allIDs) {
		t.Errorf("Records yielded %d, want %d", len(seen), len(allIDs))
	}
	for _, tc := range []struct{ id, feed string }{
		{"GO-2020-0001", "osv/Go"},
		{"RUSTSEC-2016-0001", "osv/crates.io"},
		{"GHSA-27h2-hvpr-p74q", "osv/npm"},
	} {
		r, err := s.Record(ctx, tc.id)
		if err != nil {
			t.Fatalf("Record(%s): %v", tc.id, err)
		}
		if r.ID != tc.id || s.FeedOf(tc.id) != tc.feed {
			t.Errorf("Record(%s) = %s from %s, want feed %s", tc.id, r.ID, s.FeedOf(tc.id), tc.feed)
		}
	}
	var nf *NotFoundError
	if _, err := s.Record(ctx, "NOPE-1"); !errors.As(err, &nf) {
		t.Errorf("unknown id: got %v, want *NotFoundError", err)
	}

	// Importing the same data again changes nothing.
	res2, err := db.Import(ctx, osvDir, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res2.Unchanged || res2.Snapshot != res.Snapshot {
		t.Errorf("re-import: unchanged=%v snapshot %s, want unchanged %s", res2.Unchanged, res2.Snapshot, res.Snapshot)
	}
}

func TestNoDatabase(t *testing.T) {
	db := openTemp(t)
	var nd *NoDatabaseError
	if _, err := db.Current(context.Background()); !errors.As(err, &nd) {
		t.Fatalf("Current on empty dir: %v, want *NoDatabaseError", err)
	}
	if _, err := db.Status(context.Background()); !errors.As(err, &nd) {
		t.Fatalf("Status on empty dir: %v, want *NoDatabaseError", err)
	}
}

func TestImportSingleFiles(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	// One all.zip: named after its folder.
	if _, err := db.Import(ctx, filepath.Join(osvDir, "npm", "all.zip"), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// One record, taken out of a real zip.
	s := current(t, db)
	r, err := s.Record(ctx, "GO-2020-0001")
	if err == nil {
		t.Fatalf("GO-2020-0001 should not be there yet: %v", r.ID)
	}
	goIDs := zipIDs(t, filepath.Join(osvDir, "Go", "all.zip"))
	recPath := filepath.Join(t.TempDir(), goIDs[0]+".json")
	writeFile(t, recPath, readZipEntry(t, filepath.Join(osvDir, "Go", "all.zip"), goIDs[0]+".json"))
	res, err := db.Import(ctx, recPath, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{goIDs[0]}, res.Diff.Added); d != "" {
		t.Errorf("added (-want +got):\n%s", d)
	}
	s2 := current(t, db)
	if got := s2.FeedOf(goIDs[0]); got != "osv-record/"+goIDs[0] {
		t.Errorf("FeedOf = %q", got)
	}
	npm := zipIDs(t, filepath.Join(osvDir, "npm", "all.zip"))
	if s2.RecordCount() != len(npm)+1 {
		t.Errorf("RecordCount = %d, want %d (npm zip kept)", s2.RecordCount(), len(npm)+1)
	}
}

func TestImportRejectsCorruptZip(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join(osvDir, "crates.io", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(src)
	for i := len(flipped) / 3; i < len(flipped)/3+64; i++ {
		flipped[i] ^= 0x5a
	}
	cases := map[string][]byte{
		"truncated": src[:len(src)/2],
		"corrupt":   flipped,
		"empty":     {},
		"not a zip": []byte("<html>not found</html>"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			db := openTemp(t)
			first, err := db.Import(ctx, filepath.Join(osvDir, "npm", "all.zip"), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(t.TempDir(), "crates.io", "all.zip")
			writeFile(t, bad, data)
			res, err := db.Import(ctx, bad, ImportOptions{})
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want *VerifyError", err)
			}
			if !strings.Contains(err.Error(), bad) {
				t.Errorf("error %q does not name %s", err, bad)
			}
			if res.Snapshot != first.Snapshot {
				t.Errorf("snapshot moved to %s after a failed import", res.Snapshot)
			}
			s := current(t, db)
			if s.ID() != first.Snapshot || s.FeedOf("GHSA-27h2-hvpr-p74q") != "osv/npm" {
				t.Errorf("previous snapshot not intact: %s", s.ID())
			}
			ents, _ := os.ReadDir(db.tmpPath())
			if len(ents) != 0 {
				t.Errorf("tmp/ not cleaned: %d entries", len(ents))
			}
		})
	}
}

func TestImportUnrecognized(t *testing.T) {
	db := openTemp(t)
	p := filepath.Join(t.TempDir(), "x.txt")
	writeFile(t, p, []byte("hello"))
	var ue *UnrecognizedFileError
	if _, err := db.Import(context.Background(), p, ImportOptions{}); !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnrecognizedFileError", err)
	}
	if _, err := db.Import(context.Background(), filepath.Join(t.TempDir(), "missing"), ImportOptions{}); err == nil {
		t.Fatal("import of a missing path succeeded")
	}
}
