package osv

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxRecordSize is the largest record Parse accepts, in bytes. The largest
// public OSV records are a few MiB (long version lists).
const MaxRecordSize = 32 << 20

// ParseError is returned for a record that is not valid OSV JSON or lacks a
// part that matching needs. Name is the file or entry it came from, when
// the caller knows it.
type ParseError struct {
	Name   string
	Reason string
	Err    error
}

func (e *ParseError) Error() string {
	msg := "invalid OSV record"
	if e.Name != "" {
		msg += " " + e.Name
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse decodes one OSV record and checks it: an id, a modified time, and
// in every range a known type and events each carrying exactly one of
// introduced, fixed, last_affected or limit. GIT ranges are kept (they are
// valid) but matching ignores them. name is used in errors only.
func Parse(name string, data []byte) (*Record, error) {
	if len(data) > MaxRecordSize {
		return nil, &ParseError{Name: name, Reason: fmt.Sprintf("record is %d bytes, more than the %d allowed", len(data), MaxRecordSize)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &ParseError{Name: name, Reason: "not valid JSON", Err: err}
	}
	if err := Validate(&r); err != nil {
		err.Name = name
		return nil, err
	}
	return &r, nil
}

// Validate checks a decoded record as Parse does.
func Validate(r *Record) *ParseError {
	if r.ID == "" {
		return &ParseError{Reason: "missing id"}
	}
	for i := range r.Affected {
		a := &r.Affected[i]
		if a.Package.Ecosystem == "" && a.Package.Name == "" && len(a.Ranges) == 0 && len(a.Versions) == 0 {
			return &ParseError{Reason: fmt.Sprintf("%s: affected[%d] is empty", r.ID, i)}
		}
		for j := range a.Ranges {
			rg := &a.Ranges[j]
			switch rg.Type {
			case RangeEcosystem, RangeSemver, RangeGit:
			default:
				return &ParseError{Reason: fmt.Sprintf("%s: affected[%d].ranges[%d] has unknown type %q", r.ID, i, j, rg.Type)}
			}
			if len(rg.Events) == 0 {
				return &ParseError{Reason: fmt.Sprintf("%s: affected[%d].ranges[%d] has no events", r.ID, i, j)}
			}
			for k, ev := range rg.Events {
				n := 0
				for _, s := range [...]string{ev.Introduced, ev.Fixed, ev.LastAffected, ev.Limit} {
					if s != "" {
						n++
					}
				}
				if n != 1 {
					return &ParseError{Reason: fmt.Sprintf("%s: affected[%d].ranges[%d].events[%d] must set exactly one of introduced, fixed, last_affected, limit", r.ID, i, j, k)}
				}
			}
		}
	}
	return nil
}
