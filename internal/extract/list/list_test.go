package list

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, ex := range All() {
		if ex.Name() == "" {
			t.Errorf("%T has an empty name", ex)
		}
		if seen[ex.Name()] {
			t.Errorf("duplicate extractor name %q", ex.Name())
		}
		seen[ex.Name()] = true
		if ex.Version() < 1 {
			t.Errorf("%s: version %d < 1", ex.Name(), ex.Version())
		}
	}
}

func TestByName(t *testing.T) {
	names := Names()
	found, unknown := ByName(names[1], "no/such", names[0])
	got := []string{found[0].Name(), found[1].Name()}
	if diff := cmp.Diff([]string{names[0], names[1]}, got); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"no/such"}, unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
}
