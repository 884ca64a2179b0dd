package debian

import (
	"encoding/json"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// builder collects the lines of one advisory.
type builder struct {
	h           header
	upstream    []string
	seen        map[string]bool
	affected    []osv.Affected
	notAffected []notAffectedEntry
	bugs        []string
	entries     int
}

// notAffectedEntry is one <not-affected> line, kept in database_specific.
type notAffectedEntry struct {
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	Reason    string `json:"reason,omitempty"`
}

type databaseSpecific struct {
	NotAffected []notAffectedEntry `json:"not_affected"`
}

// ecosystemSpecific is the affected entry's ecosystem_specific object.
type ecosystemSpecific struct {
	Urgency      string `json:"urgency,omitempty"`
	FixState     string `json:"fix_state,omitempty"`
	DebianStatus string `json:"debian_status,omitempty"`
}

func newBuilder(h header) *builder {
	return &builder{h: h, seen: map[string]bool{}}
}

// add reads one indented line (already trimmed).
func (b *builder) add(s string) *ParseError {
	switch {
	case strings.HasPrefix(s, "NOTE:"):
		return nil
	case s[0] == '{':
		body, ok := strings.CutSuffix(s[1:], "}")
		if !ok {
			return &ParseError{Reason: "id list has no closing brace: " + quote(s)}
		}
		for _, id := range strings.Fields(body) {
			if len(id) > 64 {
				return &ParseError{Reason: "upstream id too long: " + quote(id)}
			}
			if b.seen[id] {
				continue
			}
			if err := b.count(); err != nil {
				return err
			}
			b.seen[id] = true
			b.upstream = append(b.upstream, strings.ToValidUTF8(id, "?"))
		}
		return nil
	case s[0] == '[':
		e, err := parseEntry(s)
		if err != nil {
			return err
		}
		if err := b.count(); err != nil {
			return err
		}
		b.addEntry(e)
		return nil
	}
	return &ParseError{Reason: "unrecognised line: " + quote(s)}
}

func (b *builder) count() *ParseError {
	b.entries++
	if b.entries > MaxEntries {
		return &ParseError{Reason: "advisory " + b.h.id + " has more than the allowed number of entries"}
	}
	return nil
}

func (b *builder) addEntry(e entry) {
	if e.marker == notAffected {
		b.notAffected = append(b.notAffected, notAffectedEntry{Ecosystem: e.eco, Package: e.pkg, Reason: e.note})
		return
	}
	bugs, urgency := noteParts(e.note)
	for _, bug := range bugs {
		if !b.seen["#"+bug] {
			b.seen["#"+bug] = true
			b.bugs = append(b.bugs, bug)
		}
	}
	spec := ecosystemSpecific{Urgency: urgency}
	events := []osv.Event{{Introduced: "0"}}
	if e.marker != "" {
		spec.FixState = string(markerStates[e.marker])
		spec.DebianStatus = e.marker
	} else {
		events = append(events, osv.Event{Fixed: e.version})
	}
	a := osv.Affected{
		Package: osv.Package{Ecosystem: e.eco, Name: e.pkg},
		Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: events}},
	}
	if spec != (ecosystemSpecific{}) {
		a.EcosystemSpecific = marshal(spec)
	}
	b.affected = append(b.affected, a)
}

// record returns the OSV record of the advisory.
func (b *builder) record() *osv.Record {
	r := &osv.Record{
		ID:        b.h.id,
		Published: b.h.date,
		Modified:  b.h.date,
		Summary:   b.h.summary,
		Upstream:  b.upstream,
		Affected:  b.affected,
		References: []osv.Reference{{
			Type: "ADVISORY",
			URL:  "https://security-tracker.debian.org/tracker/" + b.h.id,
		}},
	}
	for _, bug := range b.bugs {
		r.References = append(r.References, osv.Reference{Type: "REPORT", URL: "https://bugs.debian.org/" + bug})
	}
	if len(b.notAffected) > 0 {
		r.DatabaseSpecific = marshal(databaseSpecific{NotAffected: b.notAffected})
	}
	return r
}

// marshal encodes the small objects built here from plain strings, which
// cannot fail; a failure would yield an empty object rather than a panic.
func marshal(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("{}")
	}
	return data
}
