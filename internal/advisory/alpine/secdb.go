package alpine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/osv"
)

// Bounds on untrusted input.
const (
	// MaxFileSize is the largest secdb file accepted, in bytes (real ones
	// are well under 1 MiB).
	MaxFileSize = 64 << 20
	// MaxPackages is the most packages one file may list.
	MaxPackages = 100_000
	// MaxFixes is the most (version, issue) pairs one file may hold.
	MaxFixes = 1_000_000
)

// secDB is one secdb file; JSON and YAML share the layout.
type secDB struct {
	DistroVersion string     `json:"distroversion" yaml:"distroversion"`
	RepoName      string     `json:"reponame" yaml:"reponame"`
	Packages      []secDBPkg `json:"packages" yaml:"packages"`
}

type secDBPkg struct {
	Pkg struct {
		Name     string              `json:"name" yaml:"name"`
		Secfixes map[string][]string `json:"secfixes" yaml:"secfixes"`
	} `json:"pkg" yaml:"pkg"`
}

// ParseSecDB reads one secdb JSON file and returns its records sorted by
// id. Errors are *ParseError.
func ParseSecDB(r io.Reader) ([]*osv.Record, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var db secDB
	if err := json.Unmarshal(data, &db); err != nil {
		return nil, &ParseError{Reason: "not secdb JSON", Err: err}
	}
	return convert(&db)
}

// ParseSecDBYAML reads one secdb file in its YAML form (the layout of the
// JSON form, as in the alpine-secdb repository) and returns what ParseSecDB
// returns for the same content.
func ParseSecDBYAML(r io.Reader) ([]*osv.Record, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	var db secDB
	if err := yaml.Unmarshal(data, &db); err != nil {
		return nil, &ParseError{Reason: "not secdb YAML", Err: err}
	}
	return convert(&db)
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &ParseError{Reason: "read failed", Err: err}
	}
	if len(data) > MaxFileSize {
		return nil, &ParseError{Reason: fmt.Sprintf("file larger than %d bytes", MaxFileSize)}
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil
}
