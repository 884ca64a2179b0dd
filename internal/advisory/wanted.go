package advisory

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// wanted is the persisted set of OSV ecosystems the user or a scan asked for.
type wanted struct {
	Ecosystems []string `json:"ecosystems"`
}

// ParseEcosystem maps a user- or scanner-given ecosystem to its OSV feed
// name: "Debian:12" → "Debian", "pypi" → "PyPI". It returns an
// *UnknownEcosystemError for an ecosystem without an OSV feed.
func ParseEcosystem(s string) (string, error) {
	base := BaseEcosystem(strings.TrimSpace(s))
	for _, e := range model.FeedEcosystems {
		if strings.EqualFold(string(e), base) {
			return string(e), nil
		}
	}
	return "", &UnknownEcosystemError{Ecosystem: s}
}

func feedEcosystemList() string {
	names := make([]string, len(model.FeedEcosystems))
	for i, e := range model.FeedEcosystems {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

// Wanted returns the persisted set of ecosystems that updates download.
func (db *DB) Wanted() ([]string, error) {
	data, err := readFileCapped(filepath.Join(db.dir, wantedFile), 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var w wanted
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, &CorruptError{Path: filepath.Join(db.dir, wantedFile), Err: err}
	}
	var out []string
	for _, e := range w.Ecosystems {
		if n, err := ParseEcosystem(e); err == nil && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Want adds ecosystems to the persisted set that later updates download.
// Scanners call it with the ecosystems they saw; release suffixes are
// dropped ("Debian:12" → "Debian") and ecosystems without an OSV feed are
// ignored, so a scanner may pass whatever it found.
func (db *DB) Want(ecosystems ...string) error {
	unlock, err := db.lock(context.Background(), wantedLockFile)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := db.Wanted()
	if err != nil {
		return err
	}
	changed := false
	for _, e := range ecosystems {
		n, err := ParseEcosystem(e)
		if err != nil || slices.Contains(cur, n) {
			continue
		}
		cur = append(cur, n)
		changed = true
	}
	if !changed {
		return nil
	}
	slices.SortFunc(cur, compareEcosystems)
	data, err := json.MarshalIndent(wanted{Ecosystems: cur}, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(db.dir, wantedFile), append(data, '\n'))
}

// compareEcosystems orders ecosystems as model.FeedEcosystems lists them.
func compareEcosystems(a, b string) int {
	ia := slices.Index(model.FeedEcosystems, model.Ecosystem(a))
	ib := slices.Index(model.FeedEcosystems, model.Ecosystem(b))
	return ia - ib
}
