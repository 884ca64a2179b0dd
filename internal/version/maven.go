package version

import "strings"

// Kinds of Maven ComparableVersion items.
const (
	mvnNum  = iota // a number
	mvnStr         // a qualifier
	mvnComb        // a qualifier glued to a number ("rc1", "alpha-1")
	mvnList        // a sub-list opened by '-' or a digit/letter switch
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

// mvnItem is one item of a ComparableVersion. A number is held as its
// digits with leading zeros stripped the way Maven strips them (an
// all-zero string is kept whole) because Maven orders numbers first by
// the size class of that string (int, long, BigInteger).
type mvnItem struct {
	kind  uint8
	rank  uint8  // mvnStr, mvnComb: qualifier rank
	empty bool   // mvnStr: the qualifier is "" (Maven's isNull)
	text  string // mvnStr, mvnComb: the qualifier when rank is mvnUnknown
	num   string // mvnNum, mvnComb: the digits
	items []mvnItem
}

// mavenVersion is a Maven version parsed like maven-artifact's
// ComparableVersion.
type mavenVersion struct {
	raw   string
	items []mvnItem // the top-level list
}

// mvnQualifierRank maps a qualifier to its rank (the index Maven's
// comparableQualifier returns).
func mvnQualifierRank(s string, followedByDigit bool) (uint8, string) {
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
	switch s {
	case "alpha":
		return mvnAlpha, ""
	case "beta":
		return mvnBeta, ""
	case "milestone":
		return mvnMilestone, ""
	case "rc", "cr":
		return mvnRC, ""
	case "snapshot":
		return mvnSnapshot, ""
	case "", "ga", "final", "release":
		return mvnRelease, ""
	case "sp":
		return mvnSP, ""
	}
	return mvnUnknown, s
}

// mvnDigits strips leading zeros as Maven's stripLeadingZeroes does.
func mvnDigits(s string) string {
	if s == "" {
		return "0"
	}
	if t := trimZeros(s); t != "" {
		return t
	}
	return s
}

// mvnParseItem is ComparableVersion.parseItem.
func mvnParseItem(isComb, isDig bool, s string) mvnItem {
	switch {
	case isComb:
		s = strings.ReplaceAll(s, "-", "")
		i := 0
		for i < len(s) && !isDigit(s[i]) {
			i++
		}
		if i == 0 || i == len(s) {
			// cannot happen for tokens the parser builds; read it as a
			// plain qualifier rather than fail.
			return mvnParseItem(false, false, s)
		}
		it := mvnItem{kind: mvnComb, num: mvnDigits(digitsAt(s[i:]))}
		it.rank, it.text = mvnQualifierRank(s[:i], true)
		return it
	case isDig:
		return mvnItem{kind: mvnNum, num: mvnDigits(s)}
	}
	it := mvnItem{kind: mvnStr, empty: s == ""}
	it.rank, it.text = mvnQualifierRank(s, false)
	return it
}

func (it *mvnItem) isNull() bool {
	switch it.kind {
	case mvnNum:
		return trimZeros(it.num) == ""
	case mvnStr:
		return it.empty
	case mvnComb:
		return false
	}
	return len(it.items) == 0
}

// mvnNormalize is ListItem.normalize of Maven 3.9: a null item (0, "",
// empty list) is dropped when it is last, or followed by a qualifier, or
// followed by a sub-list that starts with a qualifier.
func mvnNormalize(items []mvnItem) []mvnItem {
	for i := len(items) - 1; i >= 0; i-- {
		if !items[i].isNull() {
			continue
		}
		drop := i == len(items)-1 || items[i+1].kind == mvnStr
		if !drop && items[i+1].kind == mvnList && len(items[i+1].items) > 0 {
			k := items[i+1].items[0].kind
			drop = k == mvnComb || k == mvnStr
		}
		if drop {
			items = append(items[:i], items[i+1:]...)
		}
	}
	return items
}

// parseMaven parses like ComparableVersion.parseVersion of Maven 3.9
// (MNG-7644 combination items such as "rc1" and "alpha-1", and "treat .X
// as -X"). Any non-empty string is a Maven version.
func parseMaven(raw string) (Version, error) {
	s := strings.ToLower(raw)
	// stack of open lists; a list is attached to its parent when closed,
	// as the last item, where ComparableVersion added it when opening it.
	stack := [][]mvnItem{nil}
	cur := func() []mvnItem { return stack[len(stack)-1] }
	add := func(it mvnItem) { stack[len(stack)-1] = append(stack[len(stack)-1], it) }
	push := func() { stack = append(stack, nil) }
	isDig, isComb := false, false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if i == start {
				add(mvnItem{kind: mvnNum, num: "0"})
			} else {
				add(mvnParseItem(isComb, isDig, s[start:i]))
			}
			isComb = false
			start = i + 1
		case c == '-':
			if i == start {
				add(mvnItem{kind: mvnNum, num: "0"})
			} else {
				if !isDig && i != len(s)-1 && isDigit(s[i+1]) {
					// "X-1" is read as "X1"
					isComb = true
					continue
				}
				add(mvnParseItem(isComb, isDig, s[start:i]))
			}
			start = i + 1
			if len(cur()) > 0 {
				push()
			}
			isComb = false
		case isDigit(c):
			if !isDig && i > start {
				isComb = true
				if len(cur()) > 0 {
					push()
				}
			}
			isDig = true
		default:
			if isDig && i > start {
				add(mvnParseItem(isComb, true, s[start:i]))
				start = i
				push()
				isComb = false
			}
			isDig = false
		}
	}
	if len(s) > start {
		if !isDig && len(cur()) > 0 {
			push()
		}
		add(mvnParseItem(isComb, isDig, s[start:]))
	}
	for len(stack) > 1 {
		top := mvnNormalize(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		add(mvnItem{kind: mvnList, items: top})
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

// mvnNumClass is the Java type Maven would hold a number in: 0 int,
// 1 long, 2 BigInteger. Numbers of different classes compare by class.
func mvnNumClass(s string) int {
	switch {
	case len(s) <= 9:
		return 0
	case len(s) <= 18:
		return 1
	}
	return 2
}

func mvnCmpNum(a, b string) int {
	if c := cmpInt(mvnNumClass(a), mvnNumClass(b)); c != 0 {
		return c
	}
	return cmpDigits(a, b)
}

// mvnCmpQualifier compares two qualifiers by rank, unknown ones lexically.
func mvnCmpQualifier(ar uint8, at string, br uint8, bt string) int {
	if c := cmpInt(int(ar), int(br)); c != 0 || ar != mvnUnknown {
		return c
	}
	return cmpStr(at, bt)
}

// cmpNull compares an item against a missing one (Item.compareTo(null)).
func (it *mvnItem) cmpNull() int {
	switch it.kind {
	case mvnNum:
		if trimZeros(it.num) == "" {
			return 0
		}
		return 1
	case mvnStr, mvnComb:
		return cmpInt(int(it.rank), mvnRelease)
	}
	// MNG-6964: the whole list is compared with null
	for i := range it.items {
		if c := it.items[i].cmpNull(); c != 0 {
			return c
		}
	}
	return 0
}

func (it *mvnItem) cmp(o *mvnItem) int {
	switch it.kind {
	case mvnNum:
		if o.kind == mvnNum {
			return mvnCmpNum(it.num, o.num)
		}
		return 1 // 1.1 > 1-sp, 1.1 > 1-1
	case mvnStr:
		switch o.kind {
		case mvnStr:
			return mvnCmpQualifier(it.rank, it.text, o.rank, o.text)
		case mvnComb:
			if c := mvnCmpQualifier(it.rank, it.text, o.rank, o.text); c != 0 {
				return c
			}
			return -1 // X < X1
		}
		return -1 // 1.any < 1.1, 1.any < 1-1
	case mvnComb:
		switch o.kind {
		case mvnStr:
			if c := mvnCmpQualifier(it.rank, it.text, o.rank, o.text); c != 0 {
				return c
			}
			return 1 // X1 > X
		case mvnComb:
			if c := mvnCmpQualifier(it.rank, it.text, o.rank, o.text); c != 0 {
				return c
			}
			return mvnCmpNum(it.num, o.num)
		}
		return -1
	}
	switch o.kind {
	case mvnNum:
		return -1 // 1-1 < 1.0.x
	case mvnStr, mvnComb:
		return 1 // 1-1 > 1-sp
	}
	return mvnCmpLists(it.items, o.items)
}
