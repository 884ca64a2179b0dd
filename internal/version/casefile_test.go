package version

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// refCase is one reference case from a testdata file: either a comparison
// "A op B" or an input that must not parse ("! INPUT").
type refCase struct {
	pos     string // file:line
	a, b    string
	want    int
	invalid bool
}

// key names a case in a deviation list.
func (c refCase) key() string {
	if c.invalid {
		return "! " + c.a
	}
	return c.a + " " + [...]string{"<", "=", ">"}[c.want+1] + " " + c.b
}

// splitFields splits a line into space-separated fields; a field in
// double quotes is unquoted with Go syntax (so it may hold spaces or \n).
// A field starting with '#' ends the line.
func splitFields(line string) ([]string, error) {
	var out []string
	for {
		line = strings.TrimLeft(line, " \t")
		if line == "" || line[0] == '#' {
			return out, nil
		}
		if line[0] == '"' {
			end := 1
			for end < len(line) && (line[end] != '"' || line[end-1] == '\\') {
				end++
			}
			if end == len(line) {
				return nil, fmt.Errorf("unterminated quote")
			}
			s, err := strconv.Unquote(line[:end+1])
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			line = line[end+1:]
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
}

// loadCases reads a reference case file (optionally gzip-compressed).
// Lines: "A op B" (op one of < = >), "! INPUT" (must not parse),
// "@order" followed by one version a line up to a blank line (each sorts
// strictly before every later one); "#" and "//" lines are comments.
func loadCases(t testing.TB, path string) []refCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var cases []refCase
	var order []refCase // versions of the current @order block (in a)
	flush := func() {
		for i := range order {
			for j := i + 1; j < len(order); j++ {
				cases = append(cases, refCase{pos: order[i].pos + "/" + order[j].pos, a: order[i].a, b: order[j].a, want: -1})
			}
		}
		order = nil
	}
	inOrder := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		pos := fmt.Sprintf("%s:%d", path, n)
		trimmed := strings.TrimSpace(line)
		switch {
		case inOrder && trimmed == "":
			flush()
			inOrder = false
			continue
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "//"):
			continue
		case trimmed == "@order":
			inOrder = true
			continue
		case inOrder:
			order = append(order, refCase{pos: fmt.Sprint(n), a: trimmed})
			continue
		case strings.HasPrefix(line, "! "):
			in := line[2:]
			if strings.HasPrefix(in, `"`) {
				fs, err := splitFields(in)
				if err != nil || len(fs) != 1 {
					t.Fatalf("%s: bad quoted input", pos)
				}
				in = fs[0]
			}
			cases = append(cases, refCase{pos: pos, a: in, invalid: true})
			continue
		}
		fs, err := splitFields(line)
		if err != nil || len(fs) != 3 {
			t.Fatalf("%s: want \"A op B\", got %q", pos, line)
		}
		c := refCase{pos: pos, a: fs[0], b: fs[2]}
		switch fs[1] {
		case "<":
			c.want = -1
		case "=":
			c.want = 0
		case ">":
			c.want = 1
		default:
			t.Fatalf("%s: unknown operator %q", pos, fs[1])
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return cases
}

// checkCase runs one case; it returns a description of the failure or "".
func checkCase(s Scheme, c refCase) string {
	if c.invalid {
		if v, err := Parse(s, c.a); err == nil {
			return fmt.Sprintf("Parse(%q) = %v, want an error", c.a, v)
		}
		return ""
	}
	va, err := Parse(s, c.a)
	if err != nil {
		return err.Error()
	}
	vb, err := Parse(s, c.b)
	if err != nil {
		return err.Error()
	}
	got, rev := va.Compare(vb), vb.Compare(va)
	if got != c.want || rev != -c.want {
		return fmt.Sprintf("Compare(%q, %q) = %d (reverse %d), want %d", c.a, c.b, got, rev, c.want)
	}
	return ""
}

// runCaseFile checks every case of a file. deviations lists the cases
// (by key) where vigil knowingly differs from the file, with the reason;
// a listed case that passes is an error too, so the list stays honest.
func runCaseFile(t *testing.T, s Scheme, path string, deviations map[string]string) {
	t.Helper()
	cases := loadCases(t, path)
	seen := map[string]bool{}
	failed := 0
	for _, c := range cases {
		msg := checkCase(s, c)
		_, known := deviations[c.key()]
		if known {
			seen[c.key()] = true
		}
		switch {
		case msg != "" && !known:
			failed++
			if failed <= 50 {
				t.Errorf("%s: %s", c.pos, msg)
			}
		case msg == "" && known:
			t.Errorf("%s: %q is listed as a deviation but passes", c.pos, c.key())
		}
	}
	for k := range deviations {
		if !seen[k] {
			t.Errorf("deviation %q matches no case in %s", k, path)
		}
	}
	if failed > 0 {
		t.Errorf("%s: %d of %d cases failed", path, failed, len(cases))
	}
	t.Logf("%s: %d cases, %d known deviations", path, len(cases), len(deviations))
}
