package store

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/arena"
	"github.com/vigilsec/vigil/internal/jsonx"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
)

// HeldRef is one row of an inventory's package index: a reference and the
// encoded packages it names (EncodeHeld).
type HeldRef struct {
	PackageRef
	Packages []byte
}

// heldPackage is a package with its place in the inventory, in the
// compact form the package index stores: short keys, without the
// ecosystem (the row's) and without what neither matching nor findings
// read (extractor, licences, dev). The package index is written at random
// places by every push, so its rows are kept short: the name is left out
// where it is the row's own, and the manager and path where they are the
// inventory's most common ones (heldDefaults, kept in the head). Rows
// written before that have every field.
type heldPackage struct {
	I             int                   `json:"i"`
	Name          string                `json:"n,omitempty"`
	Version       string                `json:"v"`
	SourceName    string                `json:"sn,omitempty"`
	SourceVersion string                `json:"sv,omitempty"`
	Arch          string                `json:"a,omitempty"`
	PURL          string                `json:"u,omitempty"`
	Manager       *model.PackageManager `json:"m,omitempty"`
	Path          *string               `json:"p,omitempty"`
	Layer         string                `json:"l,omitempty"`
	OwnedBy       string                `json:"o,omitempty"`
}

// heldDefaults are the manager and path most packages of an inventory
// have: its rows leave them out.
type heldDefaults struct {
	Manager model.PackageManager
	Path    string
}

// defaultsOf returns inv's heldDefaults: the most common manager and path
// of its packages (the smaller one on a tie).
func defaultsOf(inv *model.Inventory) heldDefaults {
	managers := map[model.PackageManager]int{}
	paths := map[string]int{}
	for i := range inv.Packages {
		managers[inv.Packages[i].Manager]++
		paths[inv.Packages[i].Path]++
	}
	return heldDefaults{Manager: mostCommon(managers), Path: mostCommon(paths)}
}

func mostCommon[K ~string](counts map[K]int) K {
	var best K
	n := 0
	for k, c := range counts {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

func toHeld(i int, p *model.Package, d heldDefaults) heldPackage {
	h := heldPackage{I: i, Name: p.Name, Version: p.Version, SourceName: p.SourceName, SourceVersion: p.SourceVersion,
		Arch: p.Arch, PURL: p.PURL, Layer: p.Layer, OwnedBy: p.OwnedBy}
	if p.Manager != d.Manager {
		m := p.Manager
		h.Manager = &m
	}
	if p.Path != d.Path {
		path := p.Path
		h.Path = &path
	}
	return h
}

// pkg returns the package of a row of ecosystem eco named name.
func (h *heldPackage) pkg(eco, name string, d heldDefaults) model.Package {
	p := model.Package{Ecosystem: model.Ecosystem(eco), Name: h.Name, Version: h.Version, SourceName: h.SourceName,
		SourceVersion: h.SourceVersion, Arch: h.Arch, PURL: h.PURL, Manager: d.Manager, Path: d.Path, Layer: h.Layer, OwnedBy: h.OwnedBy}
	if p.Name == "" {
		p.Name = name
	}
	if h.Manager != nil {
		p.Manager = *h.Manager
	}
	if h.Path != nil {
		p.Path = *h.Path
	}
	return p
}

// inventoryHead is what matching needs of an inventory besides packages,
// and the defaults its package index rows leave out.
type inventoryHead struct {
	Target         model.Target         `json:"target"`
	OS             *model.OS            `json:"os,omitempty"`
	DefaultManager model.PackageManager `json:"dm,omitempty"`
	DefaultPath    string               `json:"dp,omitempty"`
}

// Encoded-form prefixes: raw JSON, or S2-compressed JSON; package index
// rows in the compact form (which leaves out the head's defaults) have
// prefixes of their own, so that a row written before it is never read
// with defaults it did not leave out.
const (
	heldRaw        = 'j'
	heldS2         = 's'
	heldCompactRaw = 'k'
	heldCompactS2  = 'z'
)

// compressAbove is the encoded size from which a payload is compressed.
const compressAbove = 512

// HeldRefs returns the package-index rows of inv: PackageRefs, each with
// the packages it names encoded — one row per name matching looks
// packages up by (match.LookupName: the source package of a Debian- or
// APK-family package, the package's own name otherwise). What
// HeldBuilder decodes of them is each package without its extractor,
// licences and dev flag.
func HeldRefs(inv *model.Inventory) ([]HeldRef, error) {
	return heldRefs(inv, true), nil
}

// heldRefs is HeldRefs; compress says whether large rows are compressed
// (rows bound for a chunk are not: the chunk is).
func heldRefs(inv *model.Inventory, compress bool) []HeldRef {
	d := defaultsOf(inv)
	groups := map[PackageRef][]heldPackage{}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		eco := string(p.Ecosystem)
		if eco == "" || p.Name == "" {
			continue
		}
		// One row, under the name matching looks the package up by: a
		// rematch for an advisory's names finds every package whose
		// matches they can change, and no other.
		r := PackageRef{Ecosystem: eco, Name: NormalizeName(eco, match.LookupName(p))}
		groups[r] = append(groups[r], toHeld(i, p, d))
	}
	out := make([]HeldRef, 0, len(groups))
	e := heldEncoder{rows: arena.Arena{Chunk: 16 << 10}}
	for r, ps := range groups {
		for i := range ps {
			if ps[i].Name == r.Name {
				ps[i].Name = "" // the row's own
			}
		}
		out = append(out, HeldRef{PackageRef: r, Packages: e.encode(ps, compress)})
	}
	slices.SortFunc(out, func(a, b HeldRef) int { return comparePackageRef(a.PackageRef, b.PackageRef) })
	return out
}

// heldEncoder encodes the package lists of one inventory's rows as
// encodeHeld(ps, heldCompactRaw, heldCompactS2) does (TestHeldEncoder),
// without reflection, the rows in shared 16 KiB chunks.
type heldEncoder struct {
	w    jsonx.Writer // the JSON of the row at hand
	rows arena.Arena
}

func (e *heldEncoder) encode(ps []heldPackage, compress bool) []byte {
	w := &e.w
	w.Buf = append(w.Buf[:0], '[')
	for i := range ps {
		h := &ps[i]
		if i > 0 {
			w.Raw(",")
		}
		w.Raw("{")
		w.Int("i", h.I)
		w.StrOmit("n", h.Name)
		w.Str("v", h.Version)
		w.StrOmit("sn", h.SourceName)
		w.StrOmit("sv", h.SourceVersion)
		w.StrOmit("a", h.Arch)
		w.StrOmit("u", h.PURL)
		if h.Manager != nil {
			w.Str("m", string(*h.Manager))
		}
		if h.Path != nil {
			w.Str("p", *h.Path)
		}
		w.StrOmit("l", h.Layer)
		w.StrOmit("o", h.OwnedBy)
		w.Raw("}")
	}
	w.Raw("]")
	data := w.Buf
	if len(data) < compressAbove || !compress {
		return e.rows.Keep(append(append(e.rows.Room(1+len(data)), heldCompactRaw), data...))
	}
	row := append(e.rows.Room(1+s2.MaxEncodedLen(len(data))), heldCompactS2)
	n := len(s2.Encode(row[1:cap(row)], data))
	return e.rows.Keep(row[:1+n])
}

// encodeHeld encodes v as JSON behind the prefix raw, or S2-compressed
// behind compressed when it is large.
func encodeHeld(v any, raw, compressed byte) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode package index: %w", err)
	}
	if len(data) < compressAbove {
		return append([]byte{raw}, data...), nil
	}
	return append([]byte{compressed}, s2.Encode(nil, data)...), nil
}

// decodeHeld decodes data into v and reports whether it is a compact row.
func decodeHeld(data []byte, v any) (compact bool, err error) {
	if len(data) == 0 {
		return false, fmt.Errorf("decode package index: empty")
	}
	raw := data[1:]
	switch data[0] {
	case heldCompactRaw:
		compact = true
	case heldRaw:
	case heldCompactS2, heldS2:
		compact = data[0] == heldCompactS2
		n, err := s2.DecodedLen(raw)
		if err != nil || n > MaxInventoryBytes {
			return false, fmt.Errorf("decode package index: bad length")
		}
		if raw, err = s2.Decode(nil, raw); err != nil {
			return false, fmt.Errorf("decode package index: %w", err)
		}
	default:
		return false, fmt.Errorf("decode package index: unknown form %q", data[0])
	}
	if err := jsonx.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode package index: %w", err)
	}
	return compact, nil
}

// EncodeHead returns the stored head of inv: its target and OS.
func EncodeHead(inv *model.Inventory) ([]byte, error) {
	d := defaultsOf(inv)
	return encodeHeld(inventoryHead{Target: inv.Target, OS: inv.OS, DefaultManager: d.Manager, DefaultPath: d.Path}, heldRaw, heldS2)
}

// HeldBuilder assembles HeldPackages from package-index rows of one
// resource (in any order; a package named by two rows counts once).
type HeldBuilder struct {
	h    HeldPackages
	d    heldDefaults
	pkgs []indexedPackage
	seen map[int]bool
}

type indexedPackage struct {
	i int
	p model.Package
}

// NewHeldBuilder starts the HeldPackages of ref from the inventory's
// stored head (nil when the inventory predates it: the result is then
// incomplete).
func NewHeldBuilder(ref ResourceRef, head []byte) (*HeldBuilder, error) {
	b := &HeldBuilder{h: HeldPackages{ResourceRef: ref, Complete: head != nil}, seen: map[int]bool{}}
	if head != nil {
		var h inventoryHead
		if _, err := decodeHeld(head, &h); err != nil {
			return nil, err
		}
		b.h.Target, b.h.OS = h.Target, h.OS
		b.d = heldDefaults{Manager: h.DefaultManager, Path: h.DefaultPath}
	}
	return b, nil
}

// Add adds the packages of one row, of ecosystem eco and (normalised)
// name name; packages is nil when the row predates package data: the
// result is then incomplete.
func (b *HeldBuilder) Add(eco, name string, packages []byte) error {
	if packages == nil {
		b.h.Complete = false
		return nil
	}
	var ps []heldPackage
	compact, err := decodeHeld(packages, &ps)
	if err != nil {
		return err
	}
	var d heldDefaults // a row written before the compact form left nothing out
	if compact {
		d = b.d
	}
	for i := range ps {
		if p := &ps[i]; !b.seen[p.I] {
			b.seen[p.I] = true
			b.pkgs = append(b.pkgs, indexedPackage{p.I, p.pkg(eco, name, d)})
		}
	}
	return nil
}

// Done returns the assembled HeldPackages.
func (b *HeldBuilder) Done() HeldPackages {
	h := b.h
	if !h.Complete {
		h.Target, h.OS = model.Target{}, nil
		return h
	}
	slices.SortFunc(b.pkgs, func(x, y indexedPackage) int { return x.i - y.i })
	h.Packages = make([]model.Package, len(b.pkgs))
	for i := range b.pkgs {
		h.Packages[i] = b.pkgs[i].p
	}
	return h
}
