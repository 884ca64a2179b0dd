package advisory

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"

	"github.com/vigilsec/vigil/internal/advisory/alpine"
	"github.com/vigilsec/vigil/internal/osv"
)

// alpineFeed is the name of the merged Alpine advisory feed.
const alpineFeed = "alpine/secdb"

// deriveAlpine rebuilds the merged Alpine feed from the secdb feeds in
// next when they changed (their blob set is the derived feed's
// fingerprint), and drops it when no secdb feed is left. A record's
// modified time is the newest fetch time of the secdb files that list it,
// since secdb itself carries no dates.
func (r *run) deriveAlpine(ctx context.Context, next map[string]FeedEntry) (*FeedResult, error) {
	var sources []FeedEntry
	for _, f := range next {
		if f.Kind == KindAlpineSecDB {
			sources = append(sources, f)
		}
	}
	if len(sources) == 0 {
		delete(next, alpineFeed)
		return nil, nil
	}
	slices.SortFunc(sources, func(a, b FeedEntry) int { return cmpString(a.Name, b.Name) })
	h := sha256.New()
	var size int64
	for _, s := range sources {
		fmt.Fprintf(h, "%s=%s\n", s.Name, s.Blob)
		size += s.Fingerprint.Size
	}
	key := hex.EncodeToString(h.Sum(nil))
	res := &FeedResult{Name: alpineFeed, Kind: KindAlpine, Source: fmt.Sprintf("merged from %d alpine-secdb feeds", len(sources))}
	if prev, ok := next[alpineFeed]; ok && prev.Fingerprint.SHA256 == key && fileExists(r.db.blobPath(prev.Blob)) {
		res.Status, res.Records = FeedUnchanged, prev.Records
		return res, nil
	}
	lists := make([][]*osv.Record, 0, len(sources))
	for _, s := range sources {
		recs, err := parseSecDBBlob(r.db.blobPath(s.Blob))
		if err != nil {
			return nil, &FeedError{Feed: s.Name, Err: err}
		}
		for _, rec := range recs {
			if rec.Modified.IsZero() {
				rec.Modified = s.FetchedAt
			}
		}
		lists = append(lists, recs)
	}
	merged := alpine.MergeSecDB(lists...)
	tmp, sum, err := r.db.writeRecordZip(merged)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	blob := sum + ".zip"
	ix, err := verifyOSVZip(ctx, tmp, res.Source, blob)
	if err != nil {
		return nil, err
	}
	if err := r.db.install(tmp, blob); err != nil {
		return nil, err
	}
	if err := r.db.writeIndex(ix); err != nil {
		return nil, err
	}
	next[alpineFeed] = FeedEntry{Name: alpineFeed, Kind: KindAlpine, Source: res.Source,
		Fingerprint: Fingerprint{SHA256: key, Size: size}, FetchedAt: r.now, Records: len(ix.Entries), Blob: blob}
	res.Status, res.Records = FeedUpdated, len(ix.Entries)
	return res, nil
}

func parseSecDBBlob(path string) ([]*osv.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return alpine.ParseSecDB(bufio.NewReader(f))
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
