package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Limits on what Compile accepts. EventBridge bounds a pattern at 4,096
// characters in PutRule; vigil allows more for its own rules but still
// bounds size and nesting so an untrusted pattern cannot exhaust memory.
const (
	// MaxPatternSize is the largest pattern document Compile accepts.
	MaxPatternSize = 64 << 10
	// MaxDepth is the deepest nesting of objects in a pattern.
	MaxDepth = 32
	// NumericLimit bounds the numbers a numeric match may name and the
	// event values it can compare: EventBridge's documented range is
	// -5.0e9 to +5.0e9 inclusive.
	NumericLimit = 5e9
)

// PatternError reports an invalid pattern. Path names the offending place
// ("detail.state[0].anything-but"); it is empty for the document itself.
type PatternError struct {
	Path   string
	Reason string
}

func (e *PatternError) Error() string {
	if e.Path == "" {
		return "event pattern is not valid: " + e.Reason
	}
	return "event pattern is not valid: " + e.Path + ": " + e.Reason
}

func perr(path, format string, a ...any) error {
	return &PatternError{Path: path, Reason: fmt.Sprintf(format, a...)}
}

// Pattern is a compiled event pattern.
type Pattern struct {
	root   *node
	source string
}

// String returns the pattern's source JSON.
func (p *Pattern) String() string { return p.source }

// node is an object level of a pattern: every field must match (AND), and
// each $or group must have one matching branch.
type node struct {
	fields []field
	ors    [][]*node
}

// field is one key of a node: either a nested object or a leaf list.
type field struct {
	key   string
	child *node
	leaf  *leaf
}

// leaf is the array of match values of one field; any may match (OR).
type leaf struct {
	ms []matcher
	// absent is set when the list holds {"exists": false}.
	absent bool
}

// kind of a leaf matcher.
type kind uint8

const (
	kString kind = iota + 1
	kNumber
	kTrue
	kFalse
	kNull
	kPrefix
	kPrefixFold
	kSuffix
	kSuffixFold
	kEqualsFold
	kWildcard
	kNumeric
	kExists
	kCIDR
	kAnythingBut
)

// matcher is one value of a leaf list.
type matcher struct {
	k   kind
	s   string  // string operand (folded for the *Fold kinds)
	n   float64 // number operand
	mi  int64   // n in micro-units, when mok
	mok bool
	lo  bound
	hi  bound
	pfx netip.Prefix
	wc  []string // wildcard pieces between '*'
	but *butSet
}

type bound struct {
	set   bool
	v     int64 // micro-units, see micro
	incl  bool
	equal bool // "=": lo only
}

// micro converts a number to millionths, the resolution at which
// EventBridge compares numbers ("15 digits of precision, six digits to the
// right of the decimal point"), for values within ±NumericLimit.
func micro(f float64) (int64, bool) {
	if f < -NumericLimit || f > NumericLimit {
		return 0, false
	}
	return int64(math.Round(f * 1e6)), true
}

// butSet is the content of an anything-but.
type butSet struct {
	strs   []string
	nums   []float64
	prefix string
	suffix string
	fold   []string   // equals-ignore-case, folded
	wild   [][]string // wildcard patterns
	op     kind       // kString (values), kPrefix, kSuffix, kEqualsFold, kWildcard
}

// Compile parses and validates an event pattern.
func Compile(data []byte) (*Pattern, error) {
	if len(data) > MaxPatternSize {
		return nil, perr("", "pattern is %d bytes, more than %d", len(data), MaxPatternSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, perr("", "not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, perr("", "trailing data after the pattern")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, perr("", "a pattern must be a JSON object")
	}
	root, err := compileNode(obj, "", 1)
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root, source: string(data)}, nil
}

// MustCompile is Compile for patterns known to be valid (tests, constants);
// it panics on error.
func MustCompile(s string) *Pattern {
	p, err := Compile([]byte(s))
	if err != nil {
		panic(err)
	}
	return p
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func compileNode(obj map[string]any, path string, depth int) (*node, error) {
	if depth > MaxDepth {
		return nil, perr(path, "nested deeper than %d levels", MaxDepth)
	}
	if len(obj) == 0 {
		return nil, perr(path, "empty objects are not allowed")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := &node{}
	for _, k := range keys {
		p := join(path, k)
		v := obj[k]
		if k == "$or" {
			if branches, ok := orBranches(v); ok {
				var group []*node
				for _, o := range branches {
					b, err := compileNode(o, path, depth+1)
					if err != nil {
						return nil, err
					}
					group = append(group, b)
				}
				n.ors = append(n.ors, group)
				continue
			}
			// Otherwise "$or" is an ordinary field name, as in event-ruler.
		}
		switch x := v.(type) {
		case map[string]any:
			c, err := compileNode(x, p, depth+1)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, field{key: k, child: c})
		case []any:
			l, err := compileLeaf(x, p)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, field{key: k, leaf: l})
		default:
			return nil, perr(p, "must be an object or an array")
		}
	}
	return n, nil
}

// operators are the match-expression keys; an object using one is a match
// expression, not an $or branch.
var operators = map[string]bool{"prefix": true, "suffix": true, "equals-ignore-case": true, "wildcard": true,
	"exists": true, "numeric": true, "cidr": true, "anything-but": true}

// orBranches reports whether the value of a "$or" key is an OR: an array
// of at least two objects none of which uses an operator keyword.
// Otherwise event-ruler, and so EventBridge, treats "$or" as an ordinary
// field name.
func orBranches(v any) ([]map[string]any, bool) {
	arr, ok := v.([]any)
	if !ok || len(arr) < 2 {
		return nil, false
	}
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		for k := range o {
			if operators[k] {
				return nil, false
			}
		}
		out = append(out, o)
	}
	return out, true
}

func compileLeaf(arr []any, path string) (*leaf, error) {
	if len(arr) == 0 {
		return nil, perr(path, "empty arrays are not allowed")
	}
	l := &leaf{}
	for i, v := range arr {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, err := compileValue(v, p)
		if err != nil {
			return nil, err
		}
		if m.k == kExists && m.n == 0 {
			l.absent = true
		}
		l.ms = append(l.ms, m)
	}
	return l, nil
}

func compileValue(v any, path string) (matcher, error) {
	switch x := v.(type) {
	case string:
		return matcher{k: kString, s: x}, nil
	case json.Number:
		f, err := number(x)
		if err != nil {
			return matcher{}, perr(path, "%v", err)
		}
		mi, mok := micro(f)
		return matcher{k: kNumber, n: f, s: x.String(), mi: mi, mok: mok}, nil
	case bool:
		if x {
			return matcher{k: kTrue}, nil
		}
		return matcher{k: kFalse}, nil
	case nil:
		return matcher{k: kNull}, nil
	case []any:
		return matcher{}, perr(path, "arrays are not allowed inside a match list")
	case map[string]any:
		return compileOperator(x, path)
	}
	return matcher{}, perr(path, "unexpected value")
}

func number(n json.Number) (float64, error) {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("number %s out of range", n)
	}
	return f, nil
}

func compileOperator(obj map[string]any, path string) (matcher, error) {
	if len(obj) != 1 {
		if len(obj) == 0 {
			return matcher{}, perr(path, "empty objects are not allowed")
		}
		return matcher{}, perr(path, "a match expression must have exactly one operator, not %d", len(obj))
	}
	var op string
	var v any
	for k, x := range obj {
		op, v = k, x
	}
	p := join(path, op)
	switch op {
	case "prefix", "suffix":
		lit, fold, err := stringOrFold(v, p)
		if err != nil {
			return matcher{}, err
		}
		m := matcher{s: lit}
		switch {
		case op == "prefix" && fold:
			m.k, m.s = kPrefixFold, foldString(lit)
		case op == "prefix":
			m.k = kPrefix
		case fold:
			m.k, m.s = kSuffixFold, foldString(lit)
		default:
			m.k = kSuffix
		}
		return m, nil
	case "equals-ignore-case":
		s, ok := v.(string)
		if !ok {
			return matcher{}, perr(p, "equals-ignore-case must be a string")
		}
		return matcher{k: kEqualsFold, s: foldString(s)}, nil
	case "wildcard":
		s, ok := v.(string)
		if !ok {
			return matcher{}, perr(p, "wildcard must be a string")
		}
		pieces, err := compileWildcard(s, p)
		if err != nil {
			return matcher{}, err
		}
		return matcher{k: kWildcard, wc: pieces, s: s}, nil
	case "exists":
		b, ok := v.(bool)
		if !ok {
			return matcher{}, perr(p, "exists must be true or false")
		}
		m := matcher{k: kExists}
		if b {
			m.n = 1
		}
		return m, nil
	case "numeric":
		return compileNumeric(v, p)
	case "cidr":
		s, ok := v.(string)
		if !ok {
			return matcher{}, perr(p, "cidr must be a string")
		}
		pfx, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			addr, aerr := netip.ParseAddr(strings.TrimSpace(s))
			if aerr != nil {
				return matcher{}, perr(p, "%q is not a CIDR block", s)
			}
			pfx = netip.PrefixFrom(addr, addr.BitLen())
		}
		return matcher{k: kCIDR, pfx: pfx.Masked()}, nil
	case "anything-but":
		b, err := compileAnythingBut(v, p)
		if err != nil {
			return matcher{}, err
		}
		return matcher{k: kAnythingBut, but: b}, nil
	}
	return matcher{}, perr(path, "unrecognized match type %q", op)
}

// stringOrFold reads "x" or {"equals-ignore-case": "x"}.
func stringOrFold(v any, path string) (string, bool, error) {
	switch x := v.(type) {
	case string:
		return x, false, nil
	case map[string]any:
		if len(x) == 1 {
			if s, ok := x["equals-ignore-case"].(string); ok {
				return s, true, nil
			}
		}
	}
	return "", false, perr(path, "must be a string or {\"equals-ignore-case\": string}")
}

// compileWildcard splits a wildcard pattern at its unescaped '*'. Escapes
// are \* (a literal star) and \\ (a backslash); two '*' in a row are
// rejected, as EventBridge does.
func compileWildcard(s, path string) ([]string, error) {
	var pieces []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return nil, perr(path, "invalid escape at position %d (only \\* and \\\\ are allowed)", i)
			}
			i++
			cur.WriteByte(s[i])
			prevStar = false
		case '*':
			if prevStar {
				return nil, perr(path, "consecutive wildcard characters at position %d", i)
			}
			pieces = append(pieces, cur.String())
			cur.Reset()
			prevStar = true
		default:
			cur.WriteByte(c)
			prevStar = false
		}
	}
	return append(pieces, cur.String()), nil
}

func compileNumeric(v any, path string) (matcher, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return matcher{}, perr(path, "numeric must be a non-empty array of operator, number pairs")
	}
	if len(arr) != 2 && len(arr) != 4 {
		return matcher{}, perr(path, "numeric takes one or two operator, number pairs")
	}
	m := matcher{k: kNumeric}
	for i := 0; i < len(arr); i += 2 {
		op, ok := arr[i].(string)
		if !ok {
			return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i), "expected an operator (=, <, <=, >, >=)")
		}
		num, ok := arr[i+1].(json.Number)
		if !ok {
			return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i+1), "expected a number after %q", op)
		}
		f, err := number(num)
		if err != nil || f < -NumericLimit || f > NumericLimit {
			return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i+1), "number %s is outside [-5.0e9, 5.0e9]", num)
		}
		mf, _ := micro(f)
		switch op {
		case "=":
			if len(arr) != 2 {
				return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i), "\"=\" cannot be combined with a range")
			}
			m.lo = bound{set: true, v: mf, incl: true, equal: true}
		case ">", ">=":
			if i != 0 {
				return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i), "the lower bound (> or >=) must come first")
			}
			m.lo = bound{set: true, v: mf, incl: op == ">="}
		case "<", "<=":
			if i == 0 && len(arr) == 4 {
				return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i), "the lower bound (> or >=) must come first")
			}
			m.hi = bound{set: true, v: mf, incl: op == "<="}
		default:
			return matcher{}, perr(fmt.Sprintf("%s[%d]", path, i), "unrecognized numeric operator %q", op)
		}
	}
	if len(arr) == 4 && (!m.lo.set || !m.hi.set) {
		return matcher{}, perr(path, "a range needs a lower bound (> or >=) then an upper bound (< or <=)")
	}
	if m.lo.set && m.hi.set && m.lo.v >= m.hi.v {
		return matcher{}, perr(path, "the lower bound must be below the upper bound")
	}
	return m, nil
}

func compileAnythingBut(v any, path string) (*butSet, error) {
	b := &butSet{op: kString}
	switch x := v.(type) {
	case string:
		b.strs = []string{x}
	case json.Number:
		f, err := number(x)
		if err != nil {
			return nil, perr(path, "%v", err)
		}
		b.nums = []float64{f}
	case []any:
		if len(x) == 0 {
			return nil, perr(path, "empty arrays are not allowed")
		}
		for i, e := range x {
			switch y := e.(type) {
			case string:
				b.strs = append(b.strs, y)
			case json.Number:
				f, err := number(y)
				if err != nil {
					return nil, perr(fmt.Sprintf("%s[%d]", path, i), "%v", err)
				}
				b.nums = append(b.nums, f)
			default:
				return nil, perr(fmt.Sprintf("%s[%d]", path, i), "anything-but lists hold only strings or only numbers")
			}
		}
		if len(b.strs) > 0 && len(b.nums) > 0 {
			return nil, perr(path, "anything-but lists hold only strings or only numbers, not both")
		}
	case map[string]any:
		if len(x) != 1 {
			return nil, perr(path, "anything-but takes one of prefix, suffix, equals-ignore-case, wildcard")
		}
		for op, y := range x {
			p := join(path, op)
			switch op {
			case "prefix", "suffix":
				s, ok := y.(string)
				if !ok {
					return nil, perr(p, "must be a string (anything-but takes a single %s)", op)
				}
				if s == "" {
					return nil, perr(p, "must not be empty")
				}
				if op == "prefix" {
					b.op, b.prefix = kPrefix, s
				} else {
					b.op, b.suffix = kSuffix, s
				}
			case "equals-ignore-case", "wildcard":
				var list []string
				switch z := y.(type) {
				case string:
					list = []string{z}
				case []any:
					if len(z) == 0 {
						return nil, perr(p, "empty arrays are not allowed")
					}
					for i, e := range z {
						s, ok := e.(string)
						if !ok {
							return nil, perr(fmt.Sprintf("%s[%d]", p, i), "must be a string")
						}
						list = append(list, s)
					}
				default:
					return nil, perr(p, "must be a string or an array of strings")
				}
				if op == "equals-ignore-case" {
					b.op = kEqualsFold
					for _, s := range list {
						b.fold = append(b.fold, foldString(s))
					}
				} else {
					b.op = kWildcard
					for _, s := range list {
						w, err := compileWildcard(s, p)
						if err != nil {
							return nil, err
						}
						b.wild = append(b.wild, w)
					}
				}
			default:
				return nil, perr(p, "unsupported inside anything-but")
			}
		}
	default:
		return nil, perr(path, "anything-but takes a string, a number, a list, or an object")
	}
	return b, nil
}

// foldString is the case folding used by the ignore-case operators.
func foldString(s string) string { return strings.ToLower(s) }
