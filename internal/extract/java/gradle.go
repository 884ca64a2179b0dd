package java

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// GradleName is the name of the gradle.lockfile extractor.
const GradleName = "java/gradlelockfile"

// maxGradleLines bounds the lines read from one lockfile.
const maxGradleLines = 500_000

type gradleExtractor struct{}

// NewGradleLock returns the gradle.lockfile extractor.
func NewGradleLock() extract.Extractor { return gradleExtractor{} }

// Name implements extract.Extractor.
func (gradleExtractor) Name() string { return GradleName }

// Version implements extract.Extractor.
func (gradleExtractor) Version() int { return 1 }

// Required implements extract.Extractor: gradle.lockfile, and the
// per-configuration lockfiles of gradle/dependency-locks/ (Gradle < 7).
func (gradleExtractor) Required(f extract.FileInfo) bool {
	if path.Base(f.Path) == "gradle.lockfile" {
		return true
	}
	return strings.HasSuffix(f.Path, ".lockfile") && strings.HasSuffix(path.Dir(f.Path), "/gradle/dependency-locks")
}

// Extract implements extract.Extractor.
func (gradleExtractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readText(in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pkgs, err := parseGradleLock(b)
	if err != nil {
		return nil, &extract.ParseError{Extractor: GradleName, Path: in.Path, Err: err}
	}
	return pkgs, nil
}

func parseGradleLock(b []byte) ([]model.Package, error) {
	var out []model.Package
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		if n++; n > maxGradleLines {
			return nil, fmt.Errorf("more than %d lines", maxGradleLines)
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "empty=") {
			continue
		}
		coord, confs, _ := strings.Cut(line, "=")
		parts := strings.Split(coord, ":")
		if len(parts) != 3 || !validCoord(parts[0]) || !validCoord(parts[1]) || !validCoord(parts[2]) {
			continue // not a locked module line; Gradle writes nothing else
		}
		pkg := newPackage(parts[0], parts[1], parts[2], model.ManagerGradle)
		pkg.Dev = testOnly(confs)
		out = append(out, pkg)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// testOnly reports whether every configuration is a test one.
func testOnly(confs string) bool {
	if strings.TrimSpace(confs) == "" {
		return false
	}
	for _, c := range strings.Split(confs, ",") {
		if !strings.HasPrefix(strings.TrimSpace(c), "test") {
			return false
		}
	}
	return true
}
