package event

import "testing"

// TestOutboxTypes: every detail-type has exactly one outbox type.
func TestOutboxTypes(t *testing.T) {
	seen := map[DetailType]string{}
	for typ, dt := range outboxTypes {
		if got, ok := DetailTypeOfOutbox(typ); !ok || got != dt {
			t.Errorf("DetailTypeOfOutbox(%q) = %q, %v", typ, got, ok)
		}
		if other, dup := seen[dt]; dup {
			t.Errorf("%s published by both %q and %q", dt, typ, other)
		}
		seen[dt] = typ
	}
	for _, dt := range DetailTypes {
		if _, ok := seen[dt]; !ok {
			t.Errorf("%s has no outbox type", dt)
		}
	}
	if _, ok := DetailTypeOfOutbox("resource.registered"); ok {
		t.Error("a bookkeeping type is published")
	}
}
