package advisory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"
)

// nvdResponse is the part of an NVD CVE API 2.0 response that merging
// needs; every vulnerability is kept as raw JSON.
type nvdResponse struct {
	Format          string            `json:"format"`
	Version         string            `json:"version"`
	Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
}

type nvdItem struct {
	CVE struct {
		ID string `json:"id"`
	} `json:"cve"`
}

// maxNVDFetch bounds how many CVEs one update asks NVD for (about 20
// minutes at NVD's public rate limits); the rest come in later updates.
const (
	maxNVDFetch      = 2000
	maxNVDFetchNoKey = 200
)

// ParseNVDResponse decodes an NVD CVE API 2.0 response and returns its
// vulnerabilities keyed by CVE id (raw JSON, later ones win).
func ParseNVDResponse(data []byte) (map[string]json.RawMessage, error) {
	var r nvdResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.Format != "" && r.Format != "NVD_CVE" {
		return nil, fmt.Errorf("format %q, want NVD_CVE", r.Format)
	}
	if r.Vulnerabilities == nil {
		return nil, errors.New("no vulnerabilities array: not an NVD CVE API 2.0 response")
	}
	out := make(map[string]json.RawMessage, len(r.Vulnerabilities))
	for i, v := range r.Vulnerabilities {
		var it nvdItem
		if err := json.Unmarshal(v, &it); err != nil {
			return nil, fmt.Errorf("vulnerabilities[%d]: %w", i, err)
		}
		if it.CVE.ID == "" {
			return nil, fmt.Errorf("vulnerabilities[%d] has no cve.id", i)
		}
		out[it.CVE.ID] = v
	}
	return out, nil
}

// encodeNVD writes vulnerabilities as one API 2.0 response, sorted by id.
func encodeNVD(items map[string]json.RawMessage) ([]byte, error) {
	ids := make([]string, 0, len(items))
	for id := range items {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	r := struct {
		ResultsPerPage  int               `json:"resultsPerPage"`
		StartIndex      int               `json:"startIndex"`
		TotalResults    int               `json:"totalResults"`
		Format          string            `json:"format"`
		Version         string            `json:"version"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}{len(ids), 0, len(ids), "NVD_CVE", "2.0", make([]json.RawMessage, 0, len(ids))}
	for _, id := range ids {
		r.Vulnerabilities = append(r.Vulnerabilities, items[id])
	}
	return json.Marshal(r)
}

// memFeed serves bytes built in memory (a merged NVD file).
type memFeed struct {
	name, source string
	kind         Kind
	data         []byte
}

func (f *memFeed) Name() string   { return f.name }
func (f *memFeed) Kind() Kind     { return f.kind }
func (f *memFeed) Source() string { return f.source }
func (f *memFeed) Fetch(ctx context.Context, _ Fingerprint) (*Fetched, error) {
	return &Fetched{Body: io.NopCloser(bytes.NewReader(f.data)), Size: int64(len(f.data))}, ctx.Err()
}

// prevNVD returns the vulnerabilities of the NVD feed of manifest m.
func (db *DB) prevNVD(m *Manifest) map[string]json.RawMessage {
	if m == nil {
		return map[string]json.RawMessage{}
	}
	f, ok := m.feed("nvd")
	if !ok {
		return map[string]json.RawMessage{}
	}
	data, err := readFileCapped(db.blobPath(f.Blob), 1<<30)
	if err != nil {
		return map[string]json.RawMessage{}
	}
	items, err := ParseNVDResponse(data)
	if err != nil {
		return map[string]json.RawMessage{}
	}
	return items
}

// nvdFromFiles merges NVD response files into the existing NVD data.
func (db *DB) nvdFromFiles(paths []string) (Feed, error) {
	prevID, err := db.currentID()
	if err != nil {
		return nil, err
	}
	var prev *Manifest
	if prevID != "" {
		prev, _ = db.readManifest(prevID)
	}
	items := db.prevNVD(prev)
	for _, p := range paths {
		data, err := readFileCapped(p, 1<<30)
		if err != nil {
			return nil, err
		}
		got, err := ParseNVDResponse(data)
		if err != nil {
			return nil, &VerifyError{File: p, Reason: "not an NVD CVE API 2.0 response", Err: err}
		}
		for k, v := range got {
			items[k] = v
		}
	}
	data, err := encodeNVD(items)
	if err != nil {
		return nil, err
	}
	src := paths[0]
	if len(paths) > 1 {
		src = fmt.Sprintf("%s (+%d files)", paths[0], len(paths)-1)
	}
	return &memFeed{name: "nvd", source: src, kind: KindNVD, data: data}, nil
}

// nvdFeed builds the NVD feed of an update: the CVEs of records without
// any severity that the current NVD data lacks are fetched one by one
// (NVD's rate limit: 5 requests in 30 s without a key, 50 with one) and
// merged with what is already held.
func (db *DB) nvdFeed(ctx context.Context, opts *UpdateOptions, m *Manifest, retry RetryPolicy) (Feed, int, error) {
	v, err := db.viewOf(m)
	if err != nil {
		return nil, 0, err
	}
	items := db.prevNVD(m)
	var want []string
	seen := map[string]bool{}
	for _, e := range v {
		if e.Withdrawn {
			continue
		}
		for _, c := range e.NoSeverityCVEs {
			if _, ok := items[c]; !ok && !seen[c] {
				seen[c] = true
				want = append(want, c)
			}
		}
	}
	slices.Sort(want)
	limit := maxNVDFetch
	if opts.NVDAPIKey == "" {
		limit = maxNVDFetchNoKey
	}
	if len(want) > limit {
		want = want[:limit]
	}
	if len(want) == 0 {
		return nil, 0, nil
	}
	gap := 6 * time.Second
	if opts.NVDAPIKey != "" {
		gap = 600 * time.Millisecond
	}
	if opts.NVDGap > 0 {
		gap = opts.NVDGap
	}
	base := or(opts.NVDURL, DefaultNVDURL)
	hdr := nvdHeader(opts.NVDAPIKey)
	fetched := 0
	for i, cve := range want {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, fetched, ctx.Err()
			case <-time.After(gap):
			}
		}
		u := base + "?cveId=" + url.QueryEscape(cve)
		var data []byte
		for attempt := 1; attempt <= retry.Attempts; attempt++ {
			data, err = fetchAll(ctx, opts.HTTP, u, hdr)
			if err == nil || !retryable(err) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, fetched, ctx.Err()
			case <-time.After(retry.delay(attempt, err)):
			}
		}
		if err != nil {
			return nil, fetched, &FeedError{Feed: "nvd", Err: err}
		}
		got, err := ParseNVDResponse(data)
		if err != nil {
			return nil, fetched, &VerifyError{File: redact(u), Reason: "not an NVD CVE API 2.0 response", Err: err}
		}
		for k, v := range got {
			items[k] = v
		}
		fetched++
	}
	data, err := encodeNVD(items)
	if err != nil {
		return nil, fetched, err
	}
	return &memFeed{name: "nvd", source: base, kind: KindNVD, data: data}, fetched, nil
}

// fetchAll GETs a small document (at most 64 MiB).
func fetchAll(ctx context.Context, c *HTTPClient, u string, hdr map[string][]string) ([]byte, error) {
	f, err := c.Get(ctx, u, Fingerprint{}, hdr)
	if err != nil {
		return nil, err
	}
	defer f.Body.Close()
	data, err := io.ReadAll(io.LimitReader(f.Body, 64<<20+1))
	if err != nil {
		return nil, err
	}
	if len(data) > 64<<20 {
		return nil, &TooLargeError{File: redact(u), Limit: 64 << 20}
	}
	return data, nil
}
