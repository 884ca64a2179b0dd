package version

import "strings"

// Kinds of Maven ComparableVersion items.
const (
	mvnInt    = iota // a number (digits, leading zeros trimmed)
	mvnString        // a qualifier
	mvnList          // a sub-list started by '-' or a digit/letter switch
)

// Qualifier ranks of Maven's well-known qualifiers; unknown qualifiers rank
// mvnUnknown and then compare lexically.
const (
	mvnAlpha = iota
	mvnBeta
	mvnMilestone
	mvnRC
	mvnSnapshot
	mvnRelease // "", "ga", "final", "release"
	mvnSP
	mvnUnknown
)

// mvnItem is one item of a ComparableVersion.
type mvnItem struct {
	kind  uint8
	rank  uint8  // mvnString: qualifier rank
	text  string // mvnInt: digits; mvnString: the (unknown) qualifier
	items []mvnItem
}

// mavenVersion is a Maven version parsed like maven-artifact's
// ComparableVersion.
type mavenVersion struct {
	raw   string
	items []mvnItem // the top-level list
}

func mvnQualifier(s string, followedByDigit bool) mvnItem {
	if followedByDigit && len(s) == 1 {
		switch s {
		case "a":
			s = "alpha"
		case "b":
			s = "beta"
		case "m":
			s = "milestone"
		}
	}
	it := mvnItem{kind: mvnString}
	switch s {
	case "alpha":
		it.rank = mvnAlpha
	case "beta":
		it.rank = mvnBeta
	case "milestone":
		it.rank = mvnMilestone
	case "rc", "cr":
		it.rank = mvnRC
	case "snapshot":
		it.rank = mvnSnapshot
	case "", "ga", "final", "release":
		it.rank = mvnRelease
	case "sp":
		it.rank = mvnSP
	default:
		it.rank, it.text = mvnUnknown, s
	}
	return it
}

func mvnParseItem(isDigit bool, s string) mvnItem {
	if isDigit {
		return mvnItem{kind: mvnInt, text: trimZeros(s)}
	}
	return mvnQualifier(s, false)
}

func (it mvnItem) isNull() bool {
	switch it.kind {
	case mvnInt:
		return it.text == ""
	case mvnString:
		return it.rank == mvnRelease
	}
	return len(it.items) == 0
}

// mvnNormalize drops trailing null items (0, "", empty lists) from a list,
// stepping over non-null sub-lists, as ListItem.normalize does.
func mvnNormalize(items []mvnItem) []mvnItem {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].isNull() {
			items = append(items[:i], items[i+1:]...)
		} else if items[i].kind != mvnList {
			break
		}
	}
	return items
}

// parseMaven parses like ComparableVersion.parseVersion of Maven 3.6-3.8
// (with MNG-5568/MNG-6572's "treat .X as -X"):
// lower-cased, split at '.', '-' and digit/letter switches; '-' and a
// switch open a sub-list; each list is normalised. Any non-empty string
// is a Maven version.
func parseMaven(raw string) (Version, error) {
	s := strings.ToLower(raw)
	// stack of open lists; each list is built in its own slice and
	// attached to its parent when closed.
	stack := [][]mvnItem{nil}
	push := func() { stack = append(stack, nil) }
	add := func(it mvnItem) { stack[len(stack)-1] = append(stack[len(stack)-1], it) }
	isDig := false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '-':
			if i == start {
				add(mvnItem{kind: mvnInt})
			} else {
				add(mvnParseItem(isDig, s[start:i]))
			}
			start = i + 1
			if c == '-' {
				push()
			}
		case isDigit(c):
			if !isDig && i > start {
				// 1.0.0.X1 < 1.0.0-X2: a qualifier followed by a
				// number opens a sub-list unless it starts one.
				if len(stack[len(stack)-1]) > 0 {
					push()
				}
				add(mvnQualifier(s[start:i], true))
				start = i
				push()
			}
			isDig = true
		default:
			if isDig && i > start {
				add(mvnParseItem(true, s[start:i]))
				start = i
				push()
			}
			isDig = false
		}
	}
	if len(s) > start {
		// a trailing ".X" is read as "-X" for any qualifier X
		if !isDig && len(stack[len(stack)-1]) > 0 {
			push()
		}
		add(mvnParseItem(isDig, s[start:]))
	}
	// close the lists innermost first: each is normalised, then becomes
	// the last item of its parent (where ComparableVersion added it when
	// it was opened).
	for len(stack) > 1 {
		top := mvnNormalize(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		stack[len(stack)-1] = append(stack[len(stack)-1], mvnItem{kind: mvnList, items: top})
	}
	return mavenVersion{raw: raw, items: mvnNormalize(stack[0])}, nil
}

func (v mavenVersion) String() string { return v.raw }
func (v mavenVersion) Scheme() Scheme { return Maven }

func (v mavenVersion) Compare(other Version) int {
	if c, ok := crossScheme(Maven, other); ok {
		return c
	}
	o, ok := other.(mavenVersion)
	if !ok {
		return foreign(v, other)
	}
	return mvnCmpLists(v.items, o.items)
}

func mvnCmpLists(a, b []mvnItem) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var c int
		switch {
		case i >= len(a):
			c = -b[i].cmpNull()
		case i >= len(b):
			c = a[i].cmpNull()
		default:
			c = a[i].cmp(&b[i])
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// cmpNull compares an item against a missing one (Item.compareTo(null)).
func (it *mvnItem) cmpNull() int {
	switch it.kind {
	case mvnInt:
		if it.text == "" {
			return 0
		}
		return 1
	case mvnString:
		return cmpInt(int(it.rank), mvnRelease)
	}
	if len(it.items) == 0 {
		return 0
	}
	return it.items[0].cmpNull()
}

func (it *mvnItem) cmp(o *mvnItem) int {
	switch it.kind {
	case mvnInt:
		if o.kind == mvnInt {
			return cmpDigits(it.text, o.text)
		}
		return 1 // 1.1 > 1-sp, 1.1 > 1-1
	case mvnString:
		if o.kind == mvnString {
			if c := cmpInt(int(it.rank), int(o.rank)); c != 0 || it.rank != mvnUnknown {
				return c
			}
			return cmpStr(it.text, o.text)
		}
		return -1 // 1.any < 1.1, 1.any < 1-1
	}
	switch o.kind {
	case mvnInt:
		return -1 // 1-1 < 1.0.x
	case mvnString:
		return 1 // 1-1 > 1-sp
	}
	return mvnCmpLists(it.items, o.items)
}
