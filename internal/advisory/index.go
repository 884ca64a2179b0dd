package advisory

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/osv"
)

// PackageRef names a package an advisory touches: the OSV base ecosystem
// ("Debian" for "Debian:12") and the package name. Re-matching after an
// update only needs inventories that hold one of these.
type PackageRef struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// indexEntry summarises one record of an advisory blob: enough to diff two
// snapshots and to find a record by id without parsing the blob again.
type indexEntry struct {
	ID        string       `json:"id"`
	Entry     string       `json:"entry"`
	Modified  time.Time    `json:"modified"`
	Withdrawn bool         `json:"withdrawn,omitempty"`
	Hash      string       `json:"hash"`
	Packages  []PackageRef `json:"packages,omitempty"`
	// NoSeverityCVEs lists the CVE ids of a record that carries no
	// severity, for the opt-in NVD feed.
	NoSeverityCVEs []string `json:"noSeverityCVEs,omitempty"`
}

// blobIndex is the index of one advisory blob, cached next to it as
// blobs/<blob>.idx (gob-encoded).
type blobIndex struct {
	Version int          `json:"version"`
	Blob    string       `json:"blob"`
	Entries []indexEntry `json:"entries"`
}

const (
	indexVersion   = 2
	maxIndexSize   = 1 << 30
	maxZipEntries  = 2_000_000
	maxPackagesRec = 100_000
)

// encodeIndex serialises an index with encoding/gob, which is several
// times faster to decode than JSON: a CLI run opens every index of the
// current snapshot.
func encodeIndex(ix *blobIndex) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(ix); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parseIndex decodes and checks a cached blob index.
func parseIndex(data []byte, blob string) (*blobIndex, error) {
	if len(data) > maxIndexSize {
		return nil, fmt.Errorf("index is %d bytes, more than %d", len(data), maxIndexSize)
	}
	var ix blobIndex
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&ix); err != nil {
		return nil, err
	}
	if ix.Version != indexVersion {
		return nil, fmt.Errorf("index version %d, want %d", ix.Version, indexVersion)
	}
	if ix.Blob != blob {
		return nil, fmt.Errorf("index is for blob %q, not %q", ix.Blob, blob)
	}
	if len(ix.Entries) > maxZipEntries {
		return nil, fmt.Errorf("index has %d entries, more than %d", len(ix.Entries), maxZipEntries)
	}
	for i, e := range ix.Entries {
		if e.ID == "" || e.Entry == "" {
			return nil, fmt.Errorf("index entry %d has no id or entry name", i)
		}
	}
	return &ix, nil
}

// summarize builds the index entry of a parsed record.
func summarize(entry string, r *osv.Record, hash string) indexEntry {
	e := indexEntry{ID: r.ID, Entry: entry, Modified: r.Modified, Withdrawn: r.IsWithdrawn(), Hash: hash}
	seen := make(map[PackageRef]bool, len(r.Affected))
	hasSeverity := len(r.Severity) > 0
	for i := range r.Affected {
		a := &r.Affected[i]
		if len(a.Severity) > 0 {
			hasSeverity = true
		}
		if a.Package.Name == "" || len(seen) >= maxPackagesRec {
			continue
		}
		p := PackageRef{Ecosystem: BaseEcosystem(a.Package.Ecosystem), Name: a.Package.Name}
		if !seen[p] {
			seen[p] = true
			e.Packages = append(e.Packages, p)
		}
	}
	if !hasSeverity {
		e.NoSeverityCVEs = recordCVEs(r)
	}
	return e
}

// recordCVEs returns the CVE ids a record is known by (its id and aliases).
func recordCVEs(r *osv.Record) []string {
	var out []string
	if strings.HasPrefix(r.ID, "CVE-") {
		out = append(out, r.ID)
	}
	for _, a := range r.Aliases {
		if strings.HasPrefix(a, "CVE-") {
			out = append(out, a)
		}
	}
	return out
}

// BaseEcosystem returns the OSV base ecosystem of an ecosystem string:
// "Debian:12" → "Debian", "Ubuntu:22.04:LTS" → "Ubuntu", "npm" → "npm".
func BaseEcosystem(e string) string {
	base, _, _ := strings.Cut(e, ":")
	return base
}
