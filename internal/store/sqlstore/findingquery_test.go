package sqlstore

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		sort  store.FindingSort
		float bool
		value string
		want  any
	}{
		{"score", store.FindingSort{Field: store.SortScore, Order: store.Desc}, true, "7.300000000000001", 7.300000000000001},
		{"none", store.FindingSort{Field: store.SortEPSS, Order: store.Asc}, true, "-1", -1.0},
		{"severity", store.FindingSort{Field: store.SortSeverity, Order: store.Desc}, false, "5", int64(5)},
		{"time", store.FindingSort{Field: store.SortFirstObservedAt, Order: store.Asc}, false, "1772366400000000", int64(1772366400000000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := encodeCursor(cursor{Field: tc.sort.Field, Order: tc.sort.Order, Value: tc.value, ID: "fnd-1"})
			c, v, err := decodeCursor(s, tc.sort, tc.float)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, v); diff != "" || c.ID != "fnd-1" {
				t.Errorf("value (-want +got):\n%s id %q", diff, c.ID)
			}
		})
	}
}

// FuzzDecodeCursor feeds arbitrary cursors (they come from API clients):
// decoding never panics, and fails only with a *store.CursorError.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(cursor{Field: store.SortScore, Order: store.Desc, Value: "9.8", ID: "fnd-1"}))
	f.Add(encodeCursor(cursor{Field: store.SortSeverity, Order: store.Desc, Value: "x", ID: "fnd-1"}))
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		for _, sort := range []store.FindingSort{{Field: store.SortScore, Order: store.Desc}, {Field: store.SortSeverity, Order: store.Desc}} {
			_, _, err := decodeCursor(s, sort, sort.Field == store.SortScore)
			var ce *store.CursorError
			if err != nil && !errors.As(err, &ce) {
				t.Fatalf("decodeCursor(%q) = %v, not a *store.CursorError", s, err)
			}
		}
	})
}

// FuzzFindingWhere feeds arbitrary filters (API bodies and saved rules):
// building the query never panics, fails only with a *model.FilterError,
// and binds exactly one argument per placeholder.
func FuzzFindingWhere(f *testing.F) {
	f.Add(`{"severity":[{"comparison":"EQUALS","value":"HIGH"},{"comparison":"NOT_EQUALS","value":"LOW"}],"vigilScore":[{"lowerInclusive":7}]}`)
	f.Add(`{"resourceTags":[{"comparison":"EQUALS","key":"Env","value":"Prod"}],"lastObservedAt":[{"startInclusive":"2026-01-01T00:00:00Z"}]}`)
	f.Add(`{"vulnerablePackageName":[{"comparison":"PREFIX","value":"lib?"}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var fl model.FindingFilter
		if json.Unmarshal([]byte(doc), &fl) != nil {
			return
		}
		where, args, err := findingWhere(store.AccountScope("acct-1"), &fl)
		if err != nil {
			var fe *model.FilterError
			if !errors.As(err, &fe) {
				t.Fatalf("findingWhere = %v, not a *model.FilterError", err)
			}
			return
		}
		n := 0
		for _, c := range where {
			if c == '?' {
				n++
			}
		}
		if n != len(args) {
			t.Fatalf("%d placeholders, %d arguments: %s", n, len(args), where)
		}
		_ = fl.Matches(&model.Finding{})
	})
}
