package advisory

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/osv"
)

// Import loads feed files from a local path (air-gapped use) and commits a
// new snapshot. path may be:
//   - a directory in OSV bucket layout (<Ecosystem>/all.zip …);
//   - a bundle directory holding any of osv/ (bucket layout), kev/, epss/,
//     nvd/ (API 2.0 responses, also under nvd/api-2.0/),
//     debian-security-tracker/ (DSA-list, DLA-list) and alpine-secdb/
//     (<branch>/<repo>.json);
//   - one OSV all.zip, one OSV record (.json), a KEV catalog (.json), an
//     EPSS file (.csv or .csv.gz), an NVD API 2.0 response (.json), a Debian
//     tracker list or an Alpine secdb file.
//
// Imported feeds replace feeds of the same name; other feeds are kept.
func (db *DB) Import(ctx context.Context, path string, opts ImportOptions) (*UpdateResult, error) {
	feeds, err := db.importFeeds(path)
	if err != nil {
		return nil, err
	}
	return db.apply(ctx, feeds, opts.Common, RetryPolicy{Attempts: 1}, hooks{})
}

func (db *DB) importFeeds(path string) ([]Feed, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot import %s: %w", path, err)
	}
	if !st.IsDir() {
		if strings.HasSuffix(path, ".json") && isNVDFile(path) {
			f, err := db.nvdFromFiles([]string{path})
			if err != nil {
				return nil, err
			}
			return []Feed{f}, nil
		}
		f, err := classifyFile(path)
		if err != nil {
			return nil, err
		}
		return []Feed{f}, nil
	}
	feeds := bucketFeeds(path)
	if len(feeds) > 0 {
		return feeds, nil
	}
	// A bundle directory.
	feeds = append(feeds, bucketFeeds(filepath.Join(path, "osv"))...)
	for _, p := range globs(filepath.Join(path, "kev"), "*.json") {
		if f, err := classifyFile(p); err == nil && f.Kind() == KindKEV {
			feeds = append(feeds, f)
		}
	}
	for _, p := range globs(filepath.Join(path, "epss"), "*.csv", "*.csv.gz") {
		feeds = append(feeds, NewFileFeed("epss", KindEPSS, p))
		break // one EPSS file: the first in name order
	}
	var nvdFiles []string
	for _, p := range append(globs(filepath.Join(path, "nvd"), "*.json"), globs(filepath.Join(path, "nvd", "api-2.0"), "*.json")...) {
		if isNVDFile(p) {
			nvdFiles = append(nvdFiles, p)
		}
	}
	if len(nvdFiles) > 0 {
		f, err := db.nvdFromFiles(nvdFiles)
		if err != nil {
			return nil, err
		}
		feeds = append(feeds, f)
	}
	for _, k := range []string{"DSA", "DLA"} {
		p := filepath.Join(path, "debian-security-tracker", k+"-list")
		if fileExists(p) {
			feeds = append(feeds, NewFileFeed("debian/"+k, KindDebian, p))
		}
	}
	for _, p := range globs(filepath.Join(path, "alpine-secdb"), "*/*.json") {
		feeds = append(feeds, alpineFileFeed(p))
	}
	if len(feeds) == 0 {
		return nil, &UnrecognizedFileError{Path: path}
	}
	return feeds, nil
}

// bucketFeeds lists <dir>/<Ecosystem>/all.zip feeds.
func bucketFeeds(dir string) []Feed {
	var feeds []Feed
	for _, p := range globs(dir, "*/all.zip") {
		eco := filepath.Base(filepath.Dir(p))
		if n, err := ParseEcosystem(eco); err == nil {
			eco = n
		}
		feeds = append(feeds, NewFileFeed(OSVFeedName(eco), KindOSV, p))
	}
	return feeds
}

func globs(dir string, patterns ...string) []string {
	var out []string
	for _, pat := range patterns {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		out = append(out, m...)
	}
	slices.Sort(out)
	return out
}

func alpineFileFeed(p string) Feed {
	branch := filepath.Base(filepath.Dir(p))
	repo := strings.TrimSuffix(filepath.Base(p), ".json")
	return NewFileFeed(alpineFeedName(branch, repo), KindAlpineSecDB, p)
}

var debianListLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\[\d{1,2} [A-Z][a-z]{2} \d{4}\] (DSA|DLA)-`)
})

// classifyFile tells what a single file is by name and content.
func classifyFile(path string) (Feed, error) {
	base := filepath.Base(path)
	lower := strings.ToLower(base)
	switch {
	case strings.HasSuffix(lower, ".zip"):
		name := "osv-import/" + strings.TrimSuffix(base, filepath.Ext(base))
		if eco, err := ParseEcosystem(filepath.Base(filepath.Dir(path))); err == nil {
			name = OSVFeedName(eco)
		}
		return NewFileFeed(name, KindOSV, path), nil
	case strings.HasSuffix(lower, ".csv"), strings.HasSuffix(lower, ".csv.gz"):
		return NewFileFeed("epss", KindEPSS, path), nil
	case !strings.HasSuffix(lower, ".json"):
		if k := sniffDebian(path); k != "" {
			return NewFileFeed("debian/"+k, KindDebian, path), nil
		}
		return nil, &UnrecognizedFileError{Path: path}
	}
	data, err := readFileCapped(path, osv.MaxRecordSize*8)
	if err != nil {
		return nil, fmt.Errorf("cannot import %s: %w", path, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &VerifyError{File: path, Reason: "not valid JSON", Err: err}
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("catalogVersion") && has("vulnerabilities"):
		return NewFileFeed("kev", KindKEV, path), nil
	case has("packages") && (has("distroversion") || has("reponame")):
		return alpineFileFeed(path), nil
	case has("id") && (has("modified") || has("affected")):
		r, err := osv.Parse(path, data)
		if err != nil {
			return nil, &VerifyError{File: path, Reason: "not a valid OSV record", Err: err}
		}
		z, err := singleRecordZip(r.ID, data)
		if err != nil {
			return nil, err
		}
		return &memFeed{name: "osv-record/" + r.ID, source: path, kind: KindOSV, data: z}, nil
	}
	return nil, &UnrecognizedFileError{Path: path}
}

func isNVDFile(path string) bool {
	data, err := readFileCapped(path, 1<<30)
	if err != nil {
		return false
	}
	var top struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(data, &top) == nil && top.Format == "NVD_CVE"
}

// sniffDebian returns "DSA" or "DLA" when the file starts like a Debian
// security tracker list.
func sniffDebian(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if m := debianListLine().FindStringSubmatch(line); m != nil {
		return m[1]
	}
	return ""
}

// singleRecordZip wraps one record in an OSV zip.
func singleRecordZip(id string, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: entryName(id), Method: zip.Deflate})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
