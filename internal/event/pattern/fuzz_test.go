package pattern

import (
	"errors"
	"testing"
)

// FuzzCompile feeds arbitrary patterns to Compile: it must return a
// pattern or a *PatternError, never panic, and a compiled pattern must
// match an arbitrary event without panicking.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{"source":["aws.ec2"]}`,
		`{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`,
		`{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`,
		`{"a":[{"wildcard":"a\\*b*c"}]}`,
		`{"$or":[{"a":[{"exists":false}]},{"b":[{"cidr":"10.0.0.0/24"}]}]}`,
		`{"a":[{"prefix":{"equals-ignore-case":"x"}},null,true,1.5]}`,
	} {
		f.Add([]byte(s), []byte(ec2Event))
	}
	f.Fuzz(func(t *testing.T, pat, event []byte) {
		p, err := Compile(pat)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("Compile error %T: %v", err, err)
			}
			return
		}
		ev, err := ParseEvent(event)
		if err != nil {
			var ee *EventError
			if !errors.As(err, &ee) {
				t.Fatalf("ParseEvent error %T: %v", err, err)
			}
			return
		}
		a := p.MatchEvent(ev)
		s := NewSet()
		s.Add("r", p)
		b := len(s.Matches(ev, nil)) == 1
		if a != b {
			t.Fatalf("pattern alone %v, in a set %v", a, b)
		}
	})
}

// FuzzParseEvent checks ParseEvent on arbitrary input.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(ec2Event))
	f.Add([]byte(`{"a":[1e999,-0,"x",[[{}]]]}`))
	p := MustCompile(`{"a":[{"numeric":[">",0]},{"exists":false}],"b":{"c":[{"anything-but":1}]}}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseEvent(data)
		if err != nil {
			var ee *EventError
			if !errors.As(err, &ee) {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		p.MatchEvent(ev)
	})
}
