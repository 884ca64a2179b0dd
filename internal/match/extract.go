package match

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// maxSummary bounds the summary kept in the index; the full text is loaded
// lazily with the record.
const maxSummary = 256

// Event kinds, in the order events with equal versions are evaluated.
const (
	evIntroduced uint8 = iota
	evLastAffected
	evFixed
	evLimit
)

// Range types kept in the index (GIT ranges are dropped).
const (
	rtEcosystem uint8 = iota
	rtSemver
)

// slimRecord is the part of an OSV record that matching needs. It is what
// the persisted index stores, so Load never re-reads the JSON records.
type slimRecord struct {
	ID string
	// IDs are the record's aliases and upstream ids (not related).
	IDs       []string
	Summary   string
	Published int64
	Modified  int64
	Severity  []slimSeverity
	// Vendor is the record-level distribution rating ("Important",
	// "high"), if any.
	Vendor   string
	WontFix  bool
	Affected []slimAffected
}

type slimSeverity struct {
	Type  string
	Score string
}

type slimAffected struct {
	Ecosystem string
	Name      string
	Severity  []slimSeverity
	Ranges    []slimRange
	Versions  []string
	Vendor    string
	WontFix   bool
}

type slimRange struct {
	Type   uint8
	Events []slimEvent
}

type slimEvent struct {
	Kind uint8
	V    string
}

// slim extracts the matching-relevant part of r. It never modifies r and
// returns ok false for withdrawn records.
func slim(r *osv.Record) (slimRecord, bool) {
	if r == nil || r.IsWithdrawn() {
		return slimRecord{}, false
	}
	s := slimRecord{
		ID:        r.ID,
		Summary:   truncate(r.Summary, maxSummary),
		Published: unixOrZero(r.Published.Unix(), r.Published.IsZero()),
		Modified:  unixOrZero(r.Modified.Unix(), r.Modified.IsZero()),
	}
	for _, lists := range [][]string{r.Aliases, r.Upstream} {
		for _, id := range lists {
			if id != "" && id != r.ID {
				s.IDs = append(s.IDs, id)
			}
		}
	}
	s.Severity = slimSev(r.Severity)
	for _, sv := range r.Severity {
		if sv.Type == "Ubuntu" {
			s.Vendor = sv.Score
		}
	}
	var db specific
	db.read(r.DatabaseSpecific)
	if db.severity != "" && s.Vendor == "" {
		s.Vendor = db.severity
	}
	s.WontFix = db.wontFix
	if s.Vendor == "" {
		s.Vendor = summaryRating(r.Summary)
	}
	for i := range r.Affected {
		a := &r.Affected[i]
		sa := slimAffected{
			Ecosystem: a.Package.Ecosystem,
			Name:      a.Package.Name,
			Severity:  slimSev(a.Severity),
			Versions:  a.Versions,
		}
		var es, ds specific
		es.read(a.EcosystemSpecific)
		ds.read(a.DatabaseSpecific)
		sa.Vendor = firstNonEmpty(es.severity, ds.severity)
		sa.WontFix = es.wontFix || ds.wontFix
		for j := range a.Ranges {
			rg := &a.Ranges[j]
			var t uint8
			switch rg.Type {
			case osv.RangeEcosystem:
				t = rtEcosystem
			case osv.RangeSemver:
				t = rtSemver
			default:
				continue // GIT: not evaluable here; other ranges still count
			}
			sr := slimRange{Type: t, Events: make([]slimEvent, 0, len(rg.Events))}
			for _, ev := range rg.Events {
				switch {
				case ev.Introduced != "":
					sr.Events = append(sr.Events, slimEvent{evIntroduced, ev.Introduced})
				case ev.Fixed != "":
					sr.Events = append(sr.Events, slimEvent{evFixed, ev.Fixed})
				case ev.LastAffected != "":
					sr.Events = append(sr.Events, slimEvent{evLastAffected, ev.LastAffected})
				case ev.Limit != "":
					sr.Events = append(sr.Events, slimEvent{evLimit, ev.Limit})
				}
			}
			sa.Ranges = append(sa.Ranges, sr)
		}
		s.Affected = append(s.Affected, sa)
	}
	return s, true
}

func unixOrZero(u int64, zero bool) int64 {
	if zero {
		return 0
	}
	return u
}

func slimSev(in []osv.Severity) []slimSeverity {
	var out []slimSeverity
	for _, s := range in {
		switch s.Type {
		case "CVSS_V2", "CVSS_V3", "CVSS_V4":
			out = append(out, slimSeverity{Type: s.Type, Score: s.Score})
		}
	}
	return out
}

// specific is what matching reads from an ecosystem_specific or
// database_specific object.
type specific struct {
	severity string
	wontFix  bool
}

// read decodes the fields vigil understands; anything else, including
// malformed JSON, is ignored (these objects are free-form by the spec).
func (s *specific) read(raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return
	}
	var m struct {
		UbuntuPriority string          `json:"ubuntu_priority"`
		Urgency        json.RawMessage `json:"urgency"`
		Severity       json.RawMessage `json:"severity"`
		FixState       string          `json:"fix_state"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	s.severity = firstNonEmpty(m.UbuntuPriority, jsonString(m.Urgency), jsonString(m.Severity))
	switch fixStateWords.Replace(strings.ToLower(m.FixState)) {
	case "wont-fix", "will-not-fix", "wontfix":
		s.wontFix = true
	}
}

// fixStateWords folds the spellings of a fix state ("won't fix",
// "wont_fix") together.
var fixStateWords = strings.NewReplacer("_", "-", " ", "-", "'", "")

// jsonString returns raw as a string when it is a JSON string.
func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// summaryRating returns the Red Hat-style rating word that starts a
// summary ("Important: kernel security update"), or "".
func summaryRating(summary string) string {
	word, _, ok := strings.Cut(summary, ":")
	if !ok {
		return ""
	}
	switch word {
	case "Critical", "Important", "Moderate", "Low":
		return word
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
