package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"

	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// A package finding's content is mostly its vulnerability's: the
// description, references, CVSS vectors and dates every finding of that
// vulnerability repeats, on every resource that has it. Compressed on its
// own, a content keeps two thirds of its size (S2 finds little to repeat
// within two kilobytes of prose and URLs); compressed with a dictionary
// made of its vulnerability's details, about a fifth (what is left is the
// finding's own: resource, package, evidence, scores; BENCHMARKS.md,
// session 11). The dictionaries are stored
// once, in finding_dicts, under the digest of their bytes, and the data
// column of such a finding is
//
//	0x00 dictFormat dict-id(16 bytes) S2-block-with-dictionary
//
// A data column written before (or of a finding no dictionary applies
// to) is a plain S2 block, whose first byte, the uvarint of a content's
// length (never 0), is never 0x00.
//
// A dictionary holds only what the advisory gave (the finding's type,
// check, description, severity and its vulnerability's details, no
// resource, package version, path or evidence), so findings of every
// account share them and none carries another account's data.
//
// Dialect.DictRefs, which pruning relies on, reads this header in SQL
// (both dialects match 0x00 0x01): a new format must be added there too,
// or pruning would delete the dictionaries its rows name.
const (
	dictMarker byte = 0x00
	dictFormat byte = 1
	dictIDLen       = 16
	dictHeader      = 2 + dictIDLen
)

// contentDict is one dictionary: its id (the first 16 bytes of the
// SHA-256 of its serialised form), that form, as stored, and the decoder.
type contentDict struct {
	id   [dictIDLen]byte
	data []byte
	d    *s2.Dict
}

// hexID is the dictionary's id as finding_dicts keys it.
func (c *contentDict) hexID() string { return hex.EncodeToString(c.id[:]) }

// newContentDict makes the dictionary of source bytes (nil when there are
// too few or too many of them to make one).
func newContentDict(source []byte) *contentDict {
	if len(source) < s2.MinDictSize {
		return nil
	}
	if len(source) > s2.MaxDictSize {
		source = source[:s2.MaxDictSize]
	}
	d := s2.MakeDictManual(source, 0)
	if d == nil {
		return nil
	}
	data := d.Bytes()
	sum := sha256.Sum256(data)
	c := &contentDict{data: data, d: d}
	copy(c.id[:], sum[:dictIDLen])
	return c
}

// loadContentDict checks and decodes a stored dictionary.
func loadContentDict(id string, data []byte) (*contentDict, error) {
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:dictIDLen]) != id {
		return nil, fmt.Errorf("finding dictionary %s: digest mismatch", id)
	}
	d := s2.NewDict(data)
	if d == nil {
		return nil, fmt.Errorf("finding dictionary %s: not a dictionary", id)
	}
	c := &contentDict{data: data, d: d}
	copy(c.id[:], sum[:dictIDLen])
	return c, nil
}

// dictSource returns the bytes a dictionary for f's content is made of:
// the JSON of the advisory's part of it. Nil for findings that have no
// vulnerability.
func dictSource(f *model.Finding) []byte {
	p := f.Package
	if p == nil {
		return nil
	}
	v := model.Finding{Type: f.Type, CheckID: f.CheckID, Description: f.Description, Severity: f.Severity,
		Remediation: model.Remediation{URL: f.Remediation.URL},
		Package: &model.PackageVulnerabilityDetails{VulnerabilityID: p.VulnerabilityID, Source: p.Source, SourceURL: p.SourceURL,
			VendorSeverity: p.VendorSeverity, SeveritySource: p.SeveritySource, CVSS: p.CVSS, ReferenceURLs: p.ReferenceURLs,
			CWEs: p.CWEs, Published: p.Published, Modified: p.Modified, RelatedVulnerabilities: p.RelatedVulnerabilities}}
	return v.AppendContentJSON(nil)
}

// dictKey is what the dictionary of f is cached under while the process
// runs: enough of the advisory's part to tell its versions apart. Two
// sources under one key only make a content compress less well (the
// dictionary a content names is the one it was compressed with, whatever
// the key).
func dictKey(buf []byte, f *model.Finding) []byte {
	p := f.Package
	buf = append(buf, f.CheckID...)
	buf = append(buf, 0)
	buf = append(buf, p.VulnerabilityID...)
	buf = append(buf, 0)
	buf = append(buf, p.Source...)
	buf = append(buf, 0)
	buf = append(buf, p.SourceURL...)
	buf = append(buf, 0)
	buf = strconv.AppendInt(buf, p.Modified.UnixNano(), 36)
	buf = append(buf, 0)
	buf = strconv.AppendInt(buf, int64(len(f.Description)), 36)
	buf = append(buf, 0)
	buf = strconv.AppendInt(buf, int64(len(p.ReferenceURLs)), 36)
	buf = append(buf, 0)
	return strconv.AppendInt(buf, int64(len(p.CVSS)), 36)
}

// maxCachedDicts bounds the process's dictionary cache. A dictionary
// that has compressed holds a 32 KiB hash table besides its bytes: the
// bound keeps the cache under about 20 MB. A full cache is emptied.
const maxCachedDicts = 512

// dictCache holds the dictionaries the process made or read: by key for
// writing, by id for reading. Dictionaries are immutable and hold no
// account's data, so one cache serves every store and scope.
type dictCache struct {
	mu    sync.Mutex
	byKey map[string]*contentDict
	byID  map[[dictIDLen]byte]*contentDict
}

// dicts is the process's dictionary cache.
var dicts = &dictCache{}

// forFinding returns the dictionary to compress f's content with, made
// when missing; nil when none applies. keyBuf is scratch space.
func (c *dictCache) forFinding(f *model.Finding, keyBuf *[]byte) *contentDict {
	if f.Package == nil {
		return nil
	}
	key := dictKey((*keyBuf)[:0], f)
	*keyBuf = key
	c.mu.Lock()
	d := c.byKey[string(key)]
	c.mu.Unlock()
	if d != nil {
		return d
	}
	d = newContentDict(dictSource(f))
	if d == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.byID[d.id]; old != nil {
		d = old // another key, the same bytes
	}
	c.put(string(key), d)
	return d
}

// get returns the cached dictionary of id, or nil.
func (c *dictCache) get(id [dictIDLen]byte) *contentDict {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id]
}

// add caches a dictionary read from the store.
func (c *dictCache) add(d *contentDict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put("", d)
}

func (c *dictCache) put(key string, d *contentDict) {
	if len(c.byID) >= maxCachedDicts || len(c.byKey) >= 2*maxCachedDicts || c.byID == nil {
		c.byKey = map[string]*contentDict{}
		c.byID = map[[dictIDLen]byte]*contentDict{}
	}
	if key != "" {
		c.byKey[key] = d
	}
	c.byID[d.id] = d
}

// dictOf returns the id of the dictionary a data column names; false for
// a plain S2 block.
func dictOf(data []byte) (id [dictIDLen]byte, ok bool, err error) {
	if len(data) == 0 || data[0] != dictMarker {
		return id, false, nil
	}
	if len(data) < dictHeader || data[1] != dictFormat {
		return id, false, fmt.Errorf("unknown content format")
	}
	copy(id[:], data[2:dictHeader])
	return id, true, nil
}

// ensureDicts stores the dictionaries of ds that finding_dicts lacks,
// in t. seen holds those this statement sequence stored or found already.
func (t *tx) ensureDicts(ctx context.Context, ds []*contentDict, seen map[[dictIDLen]byte]bool) error {
	var want []*contentDict
	for _, d := range ds {
		if !seen[d.id] {
			seen[d.id] = true
			want = append(want, d)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if t.s.d.DictLockShared != "" {
		// Held until the transaction ends: a pruner waits for it, so a
		// dictionary found here is not deleted before the findings that
		// name it are committed.
		if _, err := t.c.Exec(ctx, t.s.d.DictLockShared); err != nil {
			return err
		}
	}
	args := make([]any, len(want))
	for i, d := range want {
		args[i] = d.hexID()
	}
	rows, err := t.c.Query(ctx, `SELECT id FROM finding_dicts WHERE id IN (`+placeholders(len(want))+`)`, args...)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		have[id] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return err
	}
	args = args[:0]
	for _, d := range want {
		if id := d.hexID(); !have[id] {
			args = append(args, id, d.data)
		}
	}
	if len(args) == 0 {
		return nil
	}
	_, err = t.c.Exec(ctx, multiRowSQL(t.s.d.InsertIgnore+` INTO finding_dicts (id, data) VALUES `, "(?, ?)", t.s.d.IgnoreSuffix, len(args)/2), args...)
	return err
}

// loadDicts returns the dictionaries of ids, reading those the process
// has not cached.
func (t *tx) loadDicts(ctx context.Context, ids map[[dictIDLen]byte]bool) (map[[dictIDLen]byte]*contentDict, error) {
	out := make(map[[dictIDLen]byte]*contentDict, len(ids))
	var args []any
	for id := range ids {
		if d := dicts.get(id); d != nil {
			out[id] = d
		} else {
			args = append(args, hex.EncodeToString(id[:]))
		}
	}
	for len(args) > 0 {
		k := min(len(args), 500)
		rows, err := t.c.Query(ctx, `SELECT id, data FROM finding_dicts WHERE id IN (`+placeholders(k)+`)`, args[:k]...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var data []byte
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return nil, err
			}
			d, err := loadContentDict(id, data)
			if err != nil {
				rows.Close()
				return nil, err
			}
			dicts.add(d)
			out[d.id] = d
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		args = args[k:]
	}
	return out, nil
}

func (s *findings) PruneDictionaries(ctx context.Context) (int, error) {
	if err := s.t.writable(); err != nil {
		return 0, err
	}
	if !s.sc.All() {
		return 0, &store.ScopeError{Kind: "finding dictionaries"}
	}
	if q := s.t.s.d.DictTryLockExclusive; q != "" {
		var got bool
		if err := s.t.c.QueryRow(ctx, q).Scan(&got); err != nil {
			return 0, err
		}
		if !got {
			return 0, &store.BusyError{What: "pruning finding dictionaries"}
		}
	}
	n, err := s.t.c.Exec(ctx, `DELETE FROM finding_dicts WHERE id NOT IN (`+s.t.s.d.DictRefs+`)`)
	return int(n), err
}
