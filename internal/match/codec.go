package match

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"unsafe"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/version"
)

// A section is encoded as tables, each a uvarint count and its items,
// referring to earlier tables by uvarint index:
//
//	strings     length + bytes (decoded without copying: the strings
//	            of a loaded section point into its buffer)
//	ecoNames    string
//	versions    scheme byte + string (parsed once at decode)
//	lists       count + strings (explicit versions lists, sorted)
//	rangeSets   count + ranges; a range is scheme byte, events (kind
//	            byte + version index+1, 0 for introduced "0"), limits
//	            (version indexes), and per event its description
//	            (string index+1, 0 for none)
//	affectSets  rangeSet index+1 + list index+1 (0: none)
//	recs        id, ids, summary, vendor, feed, published, modified (varint),
//	            wontFix byte, cvss
//	names       normalised name + entries; an entry is its name, affect
//	            set, rec, eco, a flags byte (1 wontFix, 2 extra) and, with
//	            extra, vendor + cvss
//
// cvss is a count + (version, vector, float64 score bits, source).

// enc appends the encoding primitives.
type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) byte(c byte)      { e.b = append(e.b, c) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) loc(l blockLoc) {
	e.uvarint(uint64(l.off))
	e.uvarint(uint64(l.n))
	e.b = binary.LittleEndian.AppendUint32(e.b, l.crc)
}

// dec reads the primitives; the first problem sticks in err and every
// later read returns zero values.
type dec struct {
	b   []byte
	err error
}

var errShort = errors.New("unexpected end of data")

func (d *dec) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) byte() byte {
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// count reads an item count, which cannot exceed the bytes left (every
// item takes at least one).
func (d *dec) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errors.New("implausible count"))
		return 0
	}
	return int(n)
}

// str returns the next string as a view of the buffer, without copying.
func (d *dec) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&d.b[0], int(n))
	d.b = d.b[n:]
	return s
}

func (d *dec) u32() uint32 {
	if len(d.b) < 4 {
		d.fail(errShort)
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *dec) u64() uint64 {
	if len(d.b) < 8 {
		d.fail(errShort)
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *dec) loc() blockLoc {
	off, n := d.uvarint(), d.uvarint()
	crc := d.u32()
	if off > math.MaxInt64/2 || n > math.MaxInt64/2 {
		d.fail(errors.New("implausible offset"))
	}
	return blockLoc{off: int64(off), n: int64(n), crc: crc}
}

// index reads a table index that must be below n.
func (d *dec) index(n int) int {
	i := d.uvarint()
	if i >= uint64(n) {
		d.fail(errors.New("index out of range"))
		return 0
	}
	return int(i)
}

// optIndex reads an index+1 (0 for none) below n; -1 for none.
func (d *dec) optIndex(n int) int {
	i := d.uvarint()
	if i == 0 {
		return -1
	}
	if i > uint64(n) {
		d.fail(errors.New("index out of range"))
		return -1
	}
	return int(i - 1)
}

// secEncoder numbers what the entries of one section refer to.
type secEncoder struct {
	strs    map[string]int
	strList []string
	recs    map[int32]int
	recList []int32
	ecos    map[uint16]int
	ecoList []uint16
	vers    map[verKey]int
	verList []verKey
	lists   map[*string]int
	lsList  [][]string
	rsets   map[*vrange]int
	rsList  [][]vrange
	sets    map[*affectSet]int
	setList []*affectSet
}

func (s *secEncoder) str(e *enc, v string) {
	i, ok := s.strs[v]
	if !ok {
		i = len(s.strList)
		s.strs[v] = i
		s.strList = append(s.strList, v)
	}
	e.uvarint(uint64(i))
}

func (s *secEncoder) ver(e *enc, sc version.Scheme, v version.Version) {
	k := verKey{sc, v.String()}
	i, ok := s.vers[k]
	if !ok {
		i = len(s.verList)
		s.vers[k] = i
		s.verList = append(s.verList, k)
	}
	e.uvarint(uint64(i))
}

func (s *secEncoder) cvss(e *enc, cs []model.CVSS) {
	e.uvarint(uint64(len(cs)))
	for _, c := range cs {
		s.str(e, c.Version)
		s.str(e, c.Vector)
		e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(c.BaseScore))
		s.str(e, c.Source)
	}
}

// encodeSection encodes one section of a built index.
func encodeSection(sec *section) []byte {
	s := &secEncoder{
		strs: map[string]int{}, recs: map[int32]int{}, ecos: map[uint16]int{},
		vers: map[verKey]int{}, lists: map[*string]int{}, rsets: map[*vrange]int{}, sets: map[*affectSet]int{},
	}
	names := make([]string, 0, len(sec.names))
	for n := range sec.names {
		names = append(names, n)
	}
	slices.Sort(names)

	var en enc // names
	en.uvarint(uint64(len(names)))
	for _, n := range names {
		s.str(&en, n)
		es := sec.names[n]
		en.uvarint(uint64(len(es)))
		for i := range es {
			e := &es[i]
			s.str(&en, e.name)
			si, ok := s.sets[e.set]
			if !ok {
				si = len(s.setList)
				s.sets[e.set] = si
				s.setList = append(s.setList, e.set)
			}
			en.uvarint(uint64(si))
			ri, ok := s.recs[e.rec]
			if !ok {
				ri = len(s.recList)
				s.recs[e.rec] = ri
				s.recList = append(s.recList, e.rec)
			}
			en.uvarint(uint64(ri))
			ei, ok := s.ecos[e.eco]
			if !ok {
				ei = len(s.ecoList)
				s.ecos[e.eco] = ei
				s.ecoList = append(s.ecoList, e.eco)
			}
			en.uvarint(uint64(ei))
			var flags byte
			if e.wontFix {
				flags |= 1
			}
			if e.extra != nil {
				flags |= 2
			}
			en.byte(flags)
			if e.extra != nil {
				s.str(&en, e.extra.vendor)
				s.cvss(&en, e.extra.cvss)
			}
		}
	}

	var er enc // recs
	er.uvarint(uint64(len(s.recList)))
	for _, ri := range s.recList {
		r := &sec.recs[ri]
		s.str(&er, r.id)
		er.uvarint(uint64(len(r.ids)))
		for _, id := range r.ids {
			s.str(&er, id)
		}
		s.str(&er, r.summary)
		s.str(&er, r.vendor)
		s.str(&er, r.feed)
		er.varint(r.published)
		er.varint(r.modified)
		if r.wontFix {
			er.byte(1)
		} else {
			er.byte(0)
		}
		s.cvss(&er, r.cvss)
	}

	var ea enc // affect sets
	ea.uvarint(uint64(len(s.setList)))
	for _, set := range s.setList {
		ri := 0
		if len(set.ranges) > 0 {
			i, ok := s.rsets[&set.ranges[0]]
			if !ok {
				i = len(s.rsList)
				s.rsets[&set.ranges[0]] = i
				s.rsList = append(s.rsList, set.ranges)
			}
			ri = i + 1
		}
		ea.uvarint(uint64(ri))
		li := 0
		if len(set.versions) > 0 {
			i, ok := s.lists[&set.versions[0]]
			if !ok {
				i = len(s.lsList)
				s.lists[&set.versions[0]] = i
				s.lsList = append(s.lsList, set.versions)
			}
			li = i + 1
		}
		ea.uvarint(uint64(li))
	}

	var eg enc // range sets
	eg.uvarint(uint64(len(s.rsList)))
	for _, rs := range s.rsList {
		eg.uvarint(uint64(len(rs)))
		for j := range rs {
			r := &rs[j]
			eg.byte(byte(r.scheme))
			eg.uvarint(uint64(len(r.events)))
			for _, ev := range r.events {
				eg.byte(ev.kind)
				if ev.v == nil {
					eg.uvarint(0)
				} else {
					var t enc
					s.ver(&t, r.scheme, ev.v)
					i, _ := binary.Uvarint(t.b)
					eg.uvarint(i + 1)
				}
			}
			eg.uvarint(uint64(len(r.limits)))
			for _, l := range r.limits {
				s.ver(&eg, r.scheme, l)
			}
			for i := range r.events {
				if i < len(r.descs) && r.descs[i] != "" {
					var t enc
					s.str(&t, r.descs[i])
					k, _ := binary.Uvarint(t.b)
					eg.uvarint(k + 1)
				} else {
					eg.uvarint(0)
				}
			}
		}
	}

	var el enc // lists
	el.uvarint(uint64(len(s.lsList)))
	for _, l := range s.lsList {
		el.uvarint(uint64(len(l)))
		for _, v := range l {
			s.str(&el, v)
		}
	}

	var ev enc // versions
	ev.uvarint(uint64(len(s.verList)))
	for _, k := range s.verList {
		ev.byte(byte(k.scheme))
		s.str(&ev, k.v)
	}

	var eo enc // ecoNames
	eo.uvarint(uint64(len(s.ecoList)))
	for _, id := range s.ecoList {
		s.str(&eo, sec.ecoNames[id])
	}

	var out enc
	out.uvarint(uint64(len(s.strList)))
	for _, v := range s.strList {
		out.str(v)
	}
	for _, part := range [][]byte{eo.b, ev.b, el.b, eg.b, ea.b, er.b, en.b} {
		out.b = append(out.b, part...)
	}
	return out.b
}

// decodeSection decodes a section encoded by encodeSection. The strings
// it returns point into data, which must not change afterwards.
func decodeSection(data []byte, path string) (names map[string][]entry, recs []recInfo, ecoNames []string, err error) {
	d := &dec{b: data}
	bad := func(reason string) error {
		return &FormatError{Path: path, Reason: "corrupt section: " + reason, Err: d.err}
	}
	strs := make([]string, d.count())
	for i := range strs {
		strs[i] = d.str()
	}
	str := func() string {
		if i := d.index(len(strs)); d.err == nil {
			return strs[i]
		}
		return ""
	}

	ecoNames = make([]string, d.count())
	for i := range ecoNames {
		ecoNames[i] = str()
	}

	vers := make([]version.Version, d.count())
	for i := range vers {
		sc := version.Scheme(d.byte())
		raw := str()
		if d.err != nil {
			return nil, nil, nil, bad("versions")
		}
		v, perr := version.Parse(sc, raw)
		if perr != nil {
			return nil, nil, nil, &FormatError{Path: path, Reason: "corrupt section: version", Err: perr}
		}
		vers[i] = v
	}

	lists := make([][]string, d.count())
	for i := range lists {
		l := make([]string, d.count())
		for j := range l {
			l[j] = str()
		}
		lists[i] = l
	}

	rsets := make([][]vrange, d.count())
	for i := range rsets {
		rs := make([]vrange, d.count())
		for j := range rs {
			r := &rs[j]
			r.scheme = version.Scheme(d.byte())
			r.events = make([]event, d.count())
			for k := range r.events {
				r.events[k].kind = d.byte()
				if vi := d.optIndex(len(vers)); vi >= 0 {
					r.events[k].v = vers[vi]
				}
				if r.events[k].kind > evFixed || (r.events[k].v == nil && r.events[k].kind != evIntroduced) {
					d.fail(errors.New("bad event"))
				}
			}
			if n := d.count(); n > 0 {
				r.limits = make([]version.Version, n)
				for k := range r.limits {
					if vi := d.index(len(vers)); d.err == nil {
						r.limits[k] = vers[vi]
					}
				}
			}
			r.descs = make([]string, len(r.events))
			for k := range r.descs {
				if si := d.optIndex(len(strs)); si >= 0 {
					r.descs[k] = strs[si]
				}
			}
			if d.err != nil {
				return nil, nil, nil, bad("ranges")
			}
		}
		rsets[i] = rs
	}

	sets := make([]affectSet, d.count())
	for i := range sets {
		if ri := d.optIndex(len(rsets)); ri >= 0 {
			sets[i].ranges = rsets[ri]
		}
		if li := d.optIndex(len(lists)); li >= 0 {
			sets[i].versions = lists[li]
		}
	}

	cvss := func() []model.CVSS {
		n := d.count()
		if n == 0 {
			return nil
		}
		out := make([]model.CVSS, n)
		for i := range out {
			out[i] = model.CVSS{Version: str(), Vector: str(), BaseScore: math.Float64frombits(d.u64()), Source: str()}
		}
		return out
	}

	recs = make([]recInfo, d.count())
	for i := range recs {
		r := &recs[i]
		r.id = str()
		if n := d.count(); n > 0 {
			r.ids = make([]string, n)
			for j := range r.ids {
				r.ids[j] = str()
			}
		}
		r.summary = str()
		r.vendor = str()
		r.feed = str()
		r.published = d.varint()
		r.modified = d.varint()
		r.wontFix = d.byte() != 0
		r.cvss = cvss()
	}
	if d.err != nil {
		return nil, nil, nil, bad("records")
	}

	nNames := d.count()
	names = make(map[string][]entry, nNames)
	for range nNames {
		n := str()
		es := make([]entry, d.count())
		for j := range es {
			e := &es[j]
			e.name = str()
			if si := d.index(len(sets)); d.err == nil {
				e.set = &sets[si]
			}
			e.rec = int32(d.index(len(recs)))
			e.eco = uint16(d.index(min(len(ecoNames), 1<<16)))
			flags := d.byte()
			e.wontFix = flags&1 != 0
			if flags&2 != 0 {
				e.extra = &entryExtra{vendor: str(), cvss: cvss()}
			}
		}
		if d.err != nil {
			return nil, nil, nil, bad("names")
		}
		if _, dup := names[n]; dup {
			return nil, nil, nil, bad("duplicate name")
		}
		names[n] = es
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, nil, nil, bad("trailing bytes")
	}
	return names, recs, ecoNames, nil
}

// encodeIssues encodes build issues: a count and four strings each.
func encodeIssues(issues []BuildIssue) []byte {
	var e enc
	e.uvarint(uint64(len(issues)))
	for _, is := range issues {
		e.str(is.Record)
		e.str(is.Ecosystem)
		e.str(is.Package)
		e.str(is.Reason)
	}
	return e.b
}

func decodeIssues(data []byte, path string) ([]BuildIssue, error) {
	d := &dec{b: data}
	n := d.count()
	if n > maxIssues {
		return nil, &FormatError{Path: path, Reason: "too many issues"}
	}
	out := make([]BuildIssue, n)
	for i := range out {
		out[i] = BuildIssue{Record: d.str(), Ecosystem: d.str(), Package: d.str(), Reason: d.str()}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, &FormatError{Path: path, Reason: "corrupt issues", Err: d.err}
	}
	if n == 0 {
		return nil, nil
	}
	return out, nil
}
