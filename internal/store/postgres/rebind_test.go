package postgres

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE x = ? AND y IN (?,?)", "SELECT a FROM t WHERE x = $1 AND y IN ($2,$3)"},
	}
	for _, tc := range tests {
		for range 2 { // rewritten, then from the cache
			if d := cmp.Diff(tc.want, rebind(tc.in)); d != "" {
				t.Errorf("rebind(%q) (-want +got):\n%s", tc.in, d)
			}
		}
	}
}

// TestRebindCacheBounded rewrites many distinct queries (IN lists of every
// length) and checks that the cache never holds more than maxRebinds.
func TestRebindCacheBounded(t *testing.T) {
	for i := range 5 * maxRebinds {
		q := fmt.Sprintf("SELECT %d WHERE a = ?", i)
		if got, want := rebind(q), fmt.Sprintf("SELECT %d WHERE a = $1", i); got != want {
			t.Fatalf("rebind = %q, want %q", got, want)
		}
	}
	n := 0
	rebinds.Range(func(any, any) bool { n++; return true })
	if n > maxRebinds {
		t.Errorf("cache holds %d queries, want at most %d", n, maxRebinds)
	}
}
