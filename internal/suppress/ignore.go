package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MaxIgnoreFileSize bounds the ignore file read from disk.
const MaxIgnoreFileSize = 4 << 20

// DefaultIgnoreFile is the file `vigil scan` reads from the working
// directory when --ignore-file is not given.
const DefaultIgnoreFile = ".vigilignore.yaml"

// IgnoreFile is a parsed .vigilignore.yaml.
//
//	ignore:
//	  - id: CVE-2021-23337
//	    purl: pkg:npm/lodash          # optional; a version-less purl matches every version
//	    path: /app/package-lock.json  # optional; glob (path.Match) on the package path
//	    reason: template() is never called with user input
//	    expires: 2027-01-31           # required
type IgnoreFile struct {
	Entries []IgnoreEntry `yaml:"ignore"`
	// Source is the file it was read from, for messages.
	Source string `yaml:"-"`
}

// IgnoreEntry is one ignore rule.
type IgnoreEntry struct {
	ID      string `yaml:"id"`
	PURL    string `yaml:"purl,omitempty"`
	Path    string `yaml:"path,omitempty"`
	Reason  string `yaml:"reason"`
	Expires Date   `yaml:"expires"`
}

// Date is a calendar date (YYYY-MM-DD); an entry expires at the end of it,
// UTC.
type Date struct{ time.Time }

// UnmarshalYAML accepts YYYY-MM-DD or an RFC 3339 timestamp.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			d.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("line %d: expires %q is not a date (want YYYY-MM-DD)", n.Line, s)
}

// MarshalYAML writes the date as YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.Format("2006-01-02"), nil }

// end is the instant an entry stops applying: the end of its expiry day.
func (d Date) end() time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
}

// IgnoreFileError reports an invalid ignore file; Entry is the 1-based
// entry index, 0 for the file as a whole.
type IgnoreFileError struct {
	File   string
	Entry  int
	Reason string
}

func (e *IgnoreFileError) Error() string {
	if e.Entry > 0 {
		return fmt.Sprintf("ignore file %s: entry %d: %s", e.File, e.Entry, e.Reason)
	}
	return fmt.Sprintf("ignore file %s: %s", e.File, e.Reason)
}

// LoadIgnoreFile reads and checks an ignore file.
func LoadIgnoreFile(name string) (*IgnoreFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxIgnoreFileSize+1)); err != nil {
		return nil, &IgnoreFileError{File: name, Reason: err.Error()}
	}
	if buf.Len() > MaxIgnoreFileSize {
		return nil, &IgnoreFileError{File: name, Reason: fmt.Sprintf("larger than %d bytes", MaxIgnoreFileSize)}
	}
	return ParseIgnoreFile(name, buf.Bytes())
}

// ParseIgnoreFile parses ignore-file YAML; name is used in errors.
func ParseIgnoreFile(name string, data []byte) (*IgnoreFile, error) {
	var f IgnoreFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, &IgnoreFileError{File: name, Reason: err.Error()}
	}
	f.Source = name
	for i, e := range f.Entries {
		switch {
		case strings.TrimSpace(e.ID) == "":
			return nil, &IgnoreFileError{File: name, Entry: i + 1, Reason: "id is required"}
		case e.Expires.IsZero():
			return nil, &IgnoreFileError{File: name, Entry: i + 1, Reason: fmt.Sprintf("%s: expires is required (YYYY-MM-DD); ignores without an end date rot", e.ID)}
		case strings.TrimSpace(e.Reason) == "":
			return nil, &IgnoreFileError{File: name, Entry: i + 1, Reason: fmt.Sprintf("%s: reason is required", e.ID)}
		}
		if e.Path != "" {
			if _, err := path.Match(e.Path, "/"); err != nil {
				return nil, &IgnoreFileError{File: name, Entry: i + 1, Reason: fmt.Sprintf("%s: bad path pattern %q", e.ID, e.Path)}
			}
		}
		if e.PURL != "" && !strings.HasPrefix(e.PURL, "pkg:") {
			return nil, &IgnoreFileError{File: name, Entry: i + 1, Reason: fmt.Sprintf("%s: purl %q must start with pkg:", e.ID, e.PURL)}
		}
	}
	return &f, nil
}
