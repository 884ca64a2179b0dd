package npm

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// errGeneral says that a package-lock.json lies outside what the direct
// reader handles (a syntax or type error, a duplicate key, a key that
// differs from a field name only in case, a tree nested too deeply, too
// many packages); ParsePackageLock then decodes it with encoding/json, whose
// answer (packages or error) is the reference.
var errGeneral = errors.New("package-lock: needs the general decoder")

// maxNesting is encoding/json's bound on nested arrays and objects.
const maxNesting = 10000

// lockReader reads a package-lock.json straight from its bytes in one pass:
// it validates the whole document as encoding/json would, checks the type
// of every field that encoding/json would decode into lockFile, and hands
// only names, versions and flags to collectors. Nothing else is allocated:
// no maps of entries, no strings for the fields vigil ignores.
type lockReader struct {
	ctx   context.Context
	b     []byte
	i     int
	depth int
	n     int
	// keys holds, per level of "dependencies" (and one for "packages"), the
	// keys of the object being read, reused across objects.
	keys [][]string
}

// readPackageLock is the direct reader; errGeneral means "ask encoding/json".
func readPackageLock(ctx context.Context, b []byte) ([]model.Package, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &lockReader{ctx: ctx, b: b}
	r.ws()
	if !r.eat('{') {
		return nil, errGeneral
	}
	var (
		fromPackages, fromDeps *collector
		nPackages              int
		seen                   [3]bool
	)
	// An entry written by npm (version, resolved URL, integrity hash) takes
	// well over 100 bytes, so this is room for all of them: the collector's
	// list is allocated once, not doubled (counting the entries first
	// costs more than the room left unused, which is never touched).
	hint := min(len(b)/100, minMerge)
	err := r.members(func(ks, ke int) error {
		f, err := r.field(ks, ke, "lockfileVersion", "packages", "dependencies")
		if err != nil || f < 0 {
			if err == nil {
				err = r.skip()
			}
			return err
		}
		if seen[f] {
			return errGeneral // encoding/json would merge the two maps
		}
		seen[f] = true
		switch f {
		case 0:
			return r.integer()
		case 1:
			fromPackages = newCollector(model.ManagerNPM)
			fromPackages.entries = make([]entry, 0, hint)
			n, err := r.packages(fromPackages)
			nPackages = n
			return err
		default:
			if nPackages > 0 {
				return r.deps(nil, 0) // checked, not used: "packages" wins
			}
			fromDeps = newCollector(model.ManagerNPM)
			fromDeps.entries = make([]entry, 0, hint)
			return r.deps(fromDeps, 0)
		}
	})
	if err != nil {
		return nil, err
	}
	if r.ws(); r.i != len(r.b) {
		return nil, errGeneral
	}
	c := fromDeps
	if nPackages > 0 {
		c = fromPackages
	}
	if c == nil {
		return nil, nil
	}
	pkgs, err := c.result()
	if err != nil {
		return nil, errGeneral
	}
	return pkgs, nil
}

// packages reads the v2/v3 "packages" map (or null) into c, returning the
// number of entries, as lockPackages does.
func (r *lockReader) packages(c *collector) (int, error) {
	if r.null() {
		return 0, nil
	}
	if !r.eat('{') {
		return 0, errGeneral
	}
	keys := r.keyBuf(0)
	err := r.members(func(ks, ke int) error {
		key, err := r.str(ks, ke)
		if err != nil {
			return err
		}
		keys = append(keys, key)
		if err := r.tick(); err != nil {
			return err
		}
		var p lockPackage
		if r.null() {
			return nil
		}
		if !r.eat('{') {
			return errGeneral
		}
		err = r.members(func(ks, ke int) error {
			f, err := r.field(ks, ke, "name", "version", "dev", "link")
			switch {
			case err != nil:
				return err
			case f == 0:
				return r.optString(&p.Name)
			case f == 1:
				return r.optString(&p.Version)
			case f == 2:
				return r.optBool(&p.Dev)
			case f == 3:
				return r.optBool(&p.Link)
			}
			return r.skip()
		})
		if err != nil {
			return err
		}
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 || (i > 0 && key[i-1] != '/') || p.Link {
			return nil
		}
		name := key[i+len("node_modules/"):]
		if p.Name != "" {
			name = p.Name
		}
		if c.add(name, p.Version, p.Dev) != nil {
			return errGeneral
		}
		return nil
	})
	r.keys[0] = keys[:0]
	if err != nil {
		return 0, err
	}
	if duplicates(keys) {
		return 0, errGeneral // encoding/json keeps the last; not worth it here
	}
	return len(keys), nil
}

// deps reads one v1 "dependencies" map (or null) at depth, adding to c
// when c is not nil (else only checking it), as lockDeps does.
func (r *lockReader) deps(c *collector, depth int) error {
	if r.null() {
		return nil
	}
	if !r.eat('{') {
		return errGeneral
	}
	keys := r.keyBuf(depth + 1)
	err := r.members(func(ks, ke int) error {
		if depth >= maxDepth {
			return errGeneral // lockDeps fails here; let it say so
		}
		if err := r.tick(); err != nil {
			return err
		}
		var name string
		if c != nil { // only checked, the names are not needed
			var err error
			if name, err = r.str(ks, ke); err != nil {
				return err
			}
			keys = append(keys, name)
		}
		if r.null() {
			return nil
		}
		if !r.eat('{') {
			return errGeneral
		}
		var (
			version string
			dev     bool
			sawDeps bool
		)
		err := r.members(func(ks, ke int) error {
			f, err := r.field(ks, ke, "version", "dev", "dependencies")
			switch {
			case err != nil:
				return err
			case f == 0:
				return r.optString(&version)
			case f == 1:
				return r.optBool(&dev)
			case f == 2:
				if sawDeps {
					return errGeneral // encoding/json would merge the two maps
				}
				sawDeps = true
				return r.deps(c, depth+1)
			}
			return r.skip()
		})
		if err != nil || c == nil {
			return err
		}
		if n, v, ok := v1Version(name, version); ok && c.add(n, v, dev) != nil {
			return errGeneral
		}
		return nil
	})
	r.keys[depth+1] = keys[:0]
	if err != nil {
		return err
	}
	if duplicates(keys) {
		return errGeneral
	}
	return nil
}

// keyBuf returns the reusable key slice of level l, emptied.
func (r *lockReader) keyBuf(l int) []string {
	for len(r.keys) <= l {
		r.keys = append(r.keys, nil)
	}
	return r.keys[l][:0]
}

// duplicates reports whether keys holds a key twice. npm writes keys
// sorted, so the common case is one linear pass.
func duplicates(keys []string) bool {
	sorted := true
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			sorted = false
			break
		}
	}
	if sorted {
		return false
	}
	s := slices.Clone(keys)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i-1] == s[i] {
			return true
		}
	}
	return false
}

// tick checks for cancellation every 4096 entries.
func (r *lockReader) tick() error {
	if r.n++; r.n%4096 == 0 {
		return r.ctx.Err()
	}
	return nil
}

// members reads the members of an object whose '{' was just read, calling
// f with the span of each raw key and the reader at the member's value.
func (r *lockReader) members(f func(ks, ke int) error) error {
	if r.depth++; r.depth > maxNesting {
		return errGeneral
	}
	if r.ws(); r.eat('}') {
		r.depth--
		return nil
	}
	for {
		if r.ws(); !r.at('"') {
			return errGeneral
		}
		ks, ke, err := r.stringSpan()
		if err != nil {
			return err
		}
		if r.ws(); !r.eat(':') {
			return errGeneral
		}
		r.ws()
		if err := f(ks, ke); err != nil {
			return err
		}
		r.ws()
		if r.eat(',') {
			continue
		}
		if r.eat('}') {
			r.depth--
			return nil
		}
		return errGeneral
	}
}

// field returns which of names the raw key b[ks:ke] is, or -1. A key that
// needs decoding, or that equals a name only when case is ignored (which
// encoding/json also accepts), is left to encoding/json.
func (r *lockReader) field(ks, ke int, names ...string) (int, error) {
	k := r.b[ks:ke]
	for i, n := range names {
		if string(k) == n {
			return i, nil
		}
	}
	for _, c := range k {
		if c == '\\' || c >= 0x80 {
			return 0, errGeneral
		}
	}
	for _, n := range names {
		if asciiEqualFold(k, n) {
			return 0, errGeneral
		}
	}
	return -1, nil
}

// asciiEqualFold reports whether the ASCII k and n are equal ignoring case.
func asciiEqualFold(k []byte, n string) bool {
	if len(k) != len(n) {
		return false
	}
	for i := range k {
		if k[i]|0x20 != n[i]|0x20 {
			return false
		}
	}
	return true
}

// str returns the string whose raw content is b[ks:ke]: copied as it is
// when it is plain ASCII, else decoded by encoding/json (escapes, and
// invalid UTF-8 replaced as encoding/json does).
func (r *lockReader) str(ks, ke int) (string, error) {
	k := r.b[ks:ke]
	plain := true
	for _, c := range k {
		if c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return string(k), nil
	}
	var s string
	if err := json.Unmarshal(r.b[ks-1:ke+1], &s); err != nil {
		return "", errGeneral
	}
	return s, nil
}

// optString reads a string into *dst, or null (which leaves it as it is).
func (r *lockReader) optString(dst *string) error {
	if r.null() {
		return nil
	}
	if !r.at('"') {
		return errGeneral
	}
	ks, ke, err := r.stringSpan()
	if err != nil {
		return err
	}
	*dst, err = r.str(ks, ke)
	return err
}

// optBool reads true or false into *dst, or null (which leaves it).
func (r *lockReader) optBool(dst *bool) error {
	switch {
	case r.null():
	case r.word("true"):
		*dst = true
	case r.word("false"):
		*dst = false
	default:
		return errGeneral
	}
	return nil
}

// integer reads a number that fits an int, or null.
func (r *lockReader) integer() error {
	if r.null() {
		return nil
	}
	s := r.i
	if err := r.number(); err != nil {
		return err
	}
	if _, err := strconv.ParseInt(string(r.b[s:r.i]), 10, strconv.IntSize); err != nil {
		return errGeneral
	}
	return nil
}

// skip reads and checks one value of any kind.
func (r *lockReader) skip() error {
	if r.i >= len(r.b) {
		return errGeneral
	}
	switch c := r.b[r.i]; {
	case c == '{':
		r.i++
		return r.members(func(int, int) error { return r.skip() })
	case c == '[':
		r.i++
		return r.elements()
	case c == '"':
		_, _, err := r.stringSpan()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	case r.word("true"), r.word("false"), r.word("null"):
		return nil
	}
	return errGeneral
}

// elements reads the rest of an array whose '[' was just read.
func (r *lockReader) elements() error {
	if r.depth++; r.depth > maxNesting {
		return errGeneral
	}
	if r.ws(); r.eat(']') {
		r.depth--
		return nil
	}
	for {
		r.ws()
		if err := r.skip(); err != nil {
			return err
		}
		r.ws()
		if r.eat(',') {
			continue
		}
		if r.eat(']') {
			r.depth--
			return nil
		}
		return errGeneral
	}
}

// stringSpan reads a string at b[i] == '"', checking its escapes and that
// it holds no control characters, and returns its raw content's span.
func (r *lockReader) stringSpan() (int, int, error) {
	r.i++
	s := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return s, r.i - 1, nil
		case c < 0x20:
			return 0, 0, errGeneral
		case c == '\\':
			if r.i+1 >= len(r.b) {
				return 0, 0, errGeneral
			}
			switch r.b[r.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i += 2
			case 'u':
				if r.i+6 > len(r.b) {
					return 0, 0, errGeneral
				}
				for _, h := range r.b[r.i+2 : r.i+6] {
					if !isHex(h) {
						return 0, 0, errGeneral
					}
				}
				r.i += 6
			default:
				return 0, 0, errGeneral
			}
		default:
			r.i++
		}
	}
	return 0, 0, errGeneral
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *lockReader) number() error {
	r.eat('-')
	switch {
	case r.eat('0'):
	case r.i < len(r.b) && r.b[r.i] >= '1' && r.b[r.i] <= '9':
		r.digits()
	default:
		return errGeneral
	}
	if r.eat('.') && !r.digits() {
		return errGeneral
	}
	if r.eat('e') || r.eat('E') {
		if !r.eat('+') {
			r.eat('-')
		}
		if !r.digits() {
			return errGeneral
		}
	}
	return nil
}

// digits reads [0-9]* and reports whether there was at least one.
func (r *lockReader) digits() bool {
	s := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	return r.i > s
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// ws skips JSON white space.
func (r *lockReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// at reports whether the next byte is c.
func (r *lockReader) at(c byte) bool { return r.i < len(r.b) && r.b[r.i] == c }

// eat reads c when it is next.
func (r *lockReader) eat(c byte) bool {
	if r.at(c) {
		r.i++
		return true
	}
	return false
}

// word reads the literal w when it is next.
func (r *lockReader) word(w string) bool {
	if len(r.b)-r.i >= len(w) && string(r.b[r.i:r.i+len(w)]) == w {
		r.i += len(w)
		return true
	}
	return false
}

// null reads a null when it is next.
func (r *lockReader) null() bool { return r.word("null") }
