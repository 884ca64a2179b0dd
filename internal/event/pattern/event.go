package pattern

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// MaxEventSize bounds the events ParseEvent accepts. EventBridge's own
// limit is 256 KB; vigil allows some headroom.
const MaxEventSize = 1 << 20

// EventError reports an event that is not JSON, too large, not an object,
// or (for CheckTestEvent) missing a field TestEventPattern requires.
type EventError struct{ Reason string }

func (e *EventError) Error() string { return "event is not valid: " + e.Reason }

// Event is a parsed JSON event, ready to be matched against any number of
// patterns.
type Event struct {
	root map[string]any
}

// num is a JSON number of an event: f is its value when it parses as a
// finite float64 (ok), raw its text.
type num struct {
	f   float64
	ok  bool
	raw string
	// mi is f in micro-units when mok (within ±NumericLimit).
	mi  int64
	mok bool
}

func newNum(f float64, ok bool, raw string) num {
	n := num{f: f, ok: ok, raw: raw}
	if ok {
		n.mi, n.mok = micro(f)
	}
	return n
}

// ParseEvent parses a JSON event; numbers keep their value and text.
func ParseEvent(data []byte) (*Event, error) {
	if len(data) > MaxEventSize {
		return nil, &EventError{Reason: fmt.Sprintf("%d bytes, more than %d", len(data), MaxEventSize)}
	}
	v, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &EventError{Reason: "an event must be a JSON object"}
	}
	return &Event{root: obj}, nil
}

// EventFromValue wraps an already decoded event (as encoding/json decodes
// into any: map[string]any, []any, string, float64, json.Number, bool,
// nil). The map is modified in place: numbers are converted.
func EventFromValue(obj map[string]any) *Event {
	convert(obj)
	return &Event{root: obj}
}

// convert replaces numbers by num values, in place.
func convert(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = convert(e)
		}
	case []any:
		for i, e := range x {
			x[i] = convert(e)
		}
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return newNum(f, err == nil && !math.IsInf(f, 0), string(x))
	case float64:
		return newNum(x, !math.IsInf(x, 0) && !math.IsNaN(x), strconv.FormatFloat(x, 'g', -1, 64))
	case int:
		return newNum(float64(x), true, strconv.Itoa(x))
	}
	return v
}

// testEventFields are the fields TestEventPattern requires of an event.
var testEventFields = []string{"id", "account", "source", "time", "region", "resources", "detail-type"}

// CheckTestEvent reports whether ev has every field EventBridge's
// TestEventPattern requires (id, account, source, time, region, resources,
// detail-type), with resources an array and the others strings.
func CheckTestEvent(ev *Event) error {
	for _, k := range testEventFields {
		v, ok := ev.root[k]
		if !ok {
			return &EventError{Reason: fmt.Sprintf("missing field %q (TestEventPattern requires id, account, source, time, region, resources, detail-type)", k)}
		}
		if k == "resources" {
			if _, ok := v.([]any); !ok {
				return &EventError{Reason: `"resources" must be an array`}
			}
			continue
		}
		if _, ok := v.(string); !ok {
			return &EventError{Reason: fmt.Sprintf("%q must be a string", k)}
		}
	}
	return nil
}
