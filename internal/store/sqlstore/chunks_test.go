package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExecChunks checks that execChunks executes every row once, in
// order, in statements of at most size rows, and that the first error —
// of a statement, of building one, or a panic while building — ends it.
func TestExecChunks(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name       string
		n, size    int
		failBuild  int // lo of the chunk whose build fails (-1: none)
		panicBuild int // lo of the chunk whose build panics (-1: none)
		failExec   int // lo of the chunk whose exec fails (-1: none)
		want       []string
		wantErr    string
	}{
		{"nothing", 0, 3, -1, -1, -1, nil, ""},
		{"one statement", 3, 3, -1, -1, -1, []string{"0-3"}, ""},
		{"pipelined", 7, 3, -1, -1, -1, []string{"0-3", "3-6", "6-7"}, ""},
		{"exec fails", 9, 3, -1, -1, 3, []string{"0-3", "3-6"}, "boom"},
		{"build fails", 9, 3, 6, -1, -1, []string{"0-3", "3-6"}, "boom"},
		{"build fails alone", 2, 3, 0, -1, -1, nil, "boom"},
		{"build panics", 9, 3, -1, 3, -1, []string{"0-3"}, "transaction function panicked: at 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := execChunks(tc.n, tc.size,
				func(lo, hi int) ([]any, error) {
					switch lo {
					case tc.failBuild:
						return nil, boom
					case tc.panicBuild:
						panic(fmt.Sprintf("at %d", lo))
					}
					args := []any{}
					for i := lo; i < hi; i++ {
						args = append(args, i)
					}
					return args, nil
				},
				func(k int, args []any) error {
					if len(args) != k {
						t.Errorf("statement of %d rows got %d values", k, len(args))
					}
					lo := args[0].(int)
					got = append(got, fmt.Sprintf("%d-%d", lo, lo+k))
					if lo == tc.failExec {
						return boom
					}
					return nil
				})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			if fmt.Sprint(err) != tc.wantErr && !(err == nil && tc.wantErr == "") {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
			var pe *PanicError
			if tc.panicBuild >= 0 && !errors.As(err, &pe) {
				t.Errorf("panic returned as %T, want *PanicError", err)
			}
		})
	}
}
