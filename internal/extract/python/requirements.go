package python

import (
	"bufio"
	"bytes"
	"context"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// RequirementsName is the name of the requirements file extractor.
const RequirementsName = "python/requirements"

// NewRequirements returns the extractor for pip requirements files
// ("requirements.txt", "requirements-dev.txt", "dev-requirements.txt").
// Only pinned requirements (name==version, name===version) are packages.
func NewRequirements() extract.Extractor { return requirements{} }

type requirements struct{}

// Name returns the extractor's stable name.
func (requirements) Name() string { return RequirementsName }

// Version is bumped whenever the output for the same input may change.
func (requirements) Version() int { return 1 }

// Required wants *.txt files whose name starts with "requirements" or ends
// with "requirements.txt".
func (requirements) Required(f extract.FileInfo) bool {
	b := path.Base(f.Path)
	return strings.HasSuffix(b, ".txt") && (strings.HasPrefix(b, "requirements") || strings.HasSuffix(b, "requirements.txt"))
}

// Extract parses one file; errors are *extract.ParseError or *extract.LimitError.
func (e requirements) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	b, err := readAll(in, maxFileSize)
	if err != nil {
		return nil, parseError(e.Name(), pathOf(in), err)
	}
	r, err := ParseRequirements(ctx, b)
	if err != nil {
		return nil, parseError(e.Name(), in.Path, err)
	}
	return r.Packages, nil
}

// Requirements is what a requirements file says.
type Requirements struct {
	// Packages are the pinned requirements, Manager PIP.
	Packages []model.Package
	// Includes are the files named by -r/--requirement and
	// -c/--constraint, as written (relative to the file's directory).
	// They are not followed: the walker offers them on their own when
	// their names match.
	Includes []string
	// Unpinned are the names of requirements without one exact version
	// (ranges, URLs, bare names); they cannot be matched to advisories.
	Unpinned []string
}

// The expressions are compiled on first use, not at every start of the
// binary.
var (
	// pinned matches "name[extras]==version" with the spaces removed.
	pinned = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(===?)([^=].*)$`)
	})
	// leadingName takes the name of any other requirement.
	leadingName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*`) })
	// optionStart finds the first per-requirement option (" --hash=…").
	optionStart = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s-`) })
)

// ParseRequirements parses the content of a requirements file. Comments
// start at "#"; lines ending in a backslash continue on the next line;
// environment markers (after ";") and per-requirement options (--hash)
// are ignored; -e/--editable lines and other options are skipped.
func ParseRequirements(ctx context.Context, b []byte) (*Requirements, error) {
	out := &Requirements{}
	c := newCollector(model.ManagerPip)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var logical strings.Builder
	n := 0
	for sc.Scan() {
		if n++; n%8192 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		line := strings.TrimRight(sc.Text(), " \t\r")
		// As in pip, a line with a comment never continues.
		if cont, ok := strings.CutSuffix(line, `\`); ok && !strings.Contains(line, "#") {
			if logical.Len()+len(cont) > maxLine {
				return nil, errLineTooLong
			}
			logical.WriteString(cont)
			logical.WriteByte(' ')
			continue
		}
		logical.WriteString(line)
		if err := requirementLine(c, out, logical.String()); err != nil {
			return nil, err
		}
		logical.Reset()
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if logical.Len() > 0 {
		if err := requirementLine(c, out, logical.String()); err != nil {
			return nil, err
		}
	}
	out.Packages = c.result()
	return out, nil
}

// errLineTooLong is returned for a continued line longer than maxLine.
var errLineTooLong = bufio.ErrTooLong

// maxRecorded bounds the Includes and Unpinned lists.
const maxRecorded = 10_000

// requirementLine handles one logical line.
func requirementLine(c *collector, out *Requirements, line string) error {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	if line[0] == '-' {
		if f := includeOf(line); f != "" && len(out.Includes) < maxRecorded {
			out.Includes = append(out.Includes, f)
		}
		return nil
	}
	if i := strings.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	if loc := optionStart().FindStringIndex(line); loc != nil {
		line = line[:loc[0]]
	}
	spec := strings.Join(strings.Fields(line), "")
	if m := pinned().FindStringSubmatch(spec); m != nil && validVersion(m[3]) {
		return c.add(m[1], m[3], false)
	}
	if name := leadingName().FindString(spec); name != "" && len(out.Unpinned) < maxRecorded {
		out.Unpinned = append(out.Unpinned, name)
	}
	return nil
}

// includeOf returns the file named by a -r/-c option line, or "".
func includeOf(line string) string {
	for _, opt := range []string{"--requirement", "--constraint", "-r", "-c"} {
		rest, ok := strings.CutPrefix(line, opt)
		if !ok {
			continue
		}
		if strings.HasPrefix(opt, "--") && rest != "" && rest[0] != '=' && rest[0] != ' ' && rest[0] != '\t' {
			return "" // a longer option that shares the prefix
		}
		rest = strings.TrimLeft(rest, "= \t")
		if f := strings.Fields(rest); len(f) > 0 {
			return f[0]
		}
		return ""
	}
	return ""
}
