package model

import (
	"encoding/json"

	"github.com/vigilsec/vigil/internal/jsonx"
)

// AppendJSON appends the JSON of inv, byte for byte what json.Marshal
// writes (TestInventoryJSONAsMarshal fills every field and compares; an
// inventory's content hash is a digest of these bytes): the package list,
// most of a pushed inventory, is written by hand, the rest through
// Marshal. A value Marshal refuses is its error.
func (inv *Inventory) AppendJSON(dst []byte) ([]byte, error) {
	w := &jsonx.Writer{Buf: append(dst, '{')}
	w.Marshal("target", &inv.Target)
	if inv.OS != nil {
		w.Marshal("os", inv.OS)
	}
	jsonx.Array(w, "packages", inv.Packages, writePackage)
	if len(inv.Layers) > 0 {
		w.Marshal("layers", inv.Layers)
	}
	if inv.Partial {
		w.Key("partial")
		w.Raw("true")
	}
	if len(inv.Issues) > 0 {
		w.Marshal("issues", inv.Issues)
	}
	w.Time("indexedAt", inv.IndexedAt, false)
	w.Raw("}")
	if w.Failed {
		// Marshal says what it refuses.
		b, err := json.Marshal(inv)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	return w.Buf, nil
}

func writePackage(w *jsonx.Writer, p *Package) {
	w.Raw("{")
	w.Str("ecosystem", string(p.Ecosystem))
	w.Str("name", p.Name)
	w.Str("version", p.Version)
	w.StrOmit("sourceName", p.SourceName)
	w.StrOmit("sourceVersion", p.SourceVersion)
	w.StrOmit("arch", p.Arch)
	w.Str("purl", p.PURL)
	w.Str("packageManager", string(p.Manager))
	w.Str("path", p.Path)
	w.StrOmit("layer", p.Layer)
	w.StrOmit("extractor", p.Extractor)
	if p.Dev {
		w.Key("dev")
		w.Raw("true")
	}
	if len(p.Licenses) > 0 {
		w.Strings("licenses", p.Licenses)
	}
	w.StrOmit("ownedBy", p.OwnedBy)
	w.Raw("}")
}
