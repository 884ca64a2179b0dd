package pattern

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSet(t *testing.T) {
	s := NewSet()
	s.Add("ec2", MustCompile(`{"source":["aws.ec2"]}`))
	s.Add("ec2-or-s3", MustCompile(`{"source":["aws.s3","aws.ec2"]}`))
	s.Add("s3", MustCompile(`{"source":["aws.s3"]}`))
	s.Add("state", MustCompile(`{"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["running"]}}`))
	s.Add("prefix", MustCompile(`{"region":[{"prefix":"us-"}]}`)) // not indexable
	s.Add("tags", MustCompile(`{"tags":["prod","web"]}`))
	s.Add("absent", MustCompile(`{"tags":["x",{"exists":false}]}`)) // not indexable: exists false
	s.Add("nested", MustCompile(`{"source":["vigil"],"detail":{"resources":{"type":["IMAGE","FUNCTION"]}}}`))
	tests := []struct {
		event string
		want  []string
	}{
		{ec2Event, []string{"absent", "ec2", "ec2-or-s3", "prefix"}},
		{`{"source":"aws.s3","region":"eu-west-1"}`, []string{"absent", "ec2-or-s3", "s3"}},
		{`{"detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}`, []string{"absent", "state"}},
		{`{"tags":["web","prod","web"]}`, []string{"tags"}},
		{`{"source":["aws.s3","aws.ec2"]}`, []string{"absent", "ec2", "ec2-or-s3", "s3"}},
		// The nested rule is indexed under detail.resources.type; the
		// event's values sit in an array of objects, twice.
		{`{"source":"vigil","detail":{"resources":[{"type":"HOST"},{"type":"IMAGE"},{"type":"FUNCTION"}]}}`, []string{"absent", "nested"}},
		{`{"source":"vigil","detail":{"resources":[{"type":"HOST"}]}}`, []string{"absent"}},
	}
	for i, tc := range tests {
		ev, err := ParseEvent([]byte(tc.event))
		if err != nil {
			t.Fatal(err)
		}
		got := s.Matches(ev, nil)
		slices.Sort(got)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("event %d (-want +got):\n%s", i, diff)
		}
	}
	// Replacing and removing rules.
	s.Add("ec2", MustCompile(`{"source":["aws.lambda"]}`))
	s.Remove("s3")
	s.Remove("nope")
	ev, _ := ParseEvent([]byte(`{"source":"aws.s3"}`))
	got := s.Matches(ev, nil)
	slices.Sort(got)
	if diff := cmp.Diff([]string{"absent", "ec2-or-s3"}, got); diff != "" {
		t.Errorf("after replace/remove (-want +got):\n%s", diff)
	}
	if s.Len() != 7 {
		t.Errorf("Len = %d, want 7", s.Len())
	}
}

// TestSetAgreesWithPatterns checks the index never changes an answer: the
// set's matches equal testing every pattern on its own.
func TestSetAgreesWithPatterns(t *testing.T) {
	rules := benchRules(300)
	s := NewSet()
	for i, r := range rules {
		s.Add(fmt.Sprint(i), r)
	}
	for _, raw := range benchEvents() {
		ev, err := ParseEvent([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i, r := range rules {
			if r.MatchEvent(ev) {
				want = append(want, fmt.Sprint(i))
			}
		}
		got := s.Matches(ev, nil)
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("event %s (-want +got):\n%s", raw[:60], diff)
		}
		if len(want) == 0 {
			t.Errorf("event %s matches no rule: the test proves nothing", raw[:60])
		}
	}
}

func TestIndexKey(t *testing.T) {
	tests := []struct {
		pattern string
		key     string
		vals    []string
	}{
		{`{"source":["vigil"]}`, "source", []string{"vigil"}},
		{`{"source":["vigil"],"detail-type":["Finding Created"]}`, "detail-type", []string{"Finding Created"}},
		{`{"detail-type":["A","B"],"detail":{"severity":["CRITICAL"]}}`, "detail\x00severity", []string{"CRITICAL"}},
		{`{"detail":{"severity":[{"prefix":"C"}]},"region":["local"]}`, "region", []string{"local"}},
		{`{"a":{"b":{"c":{"d":{"e":{"f":{"g":["deep"]}}}}}},"e":["x"]}`, "e", []string{"x"}},
		{`{"detail":{"resources":{"tags":{"Team":["a","b"]}}},"detail-type":["Finding Created"]}`, "detail\x00resources\x00tags\x00Team", []string{"a", "b"}},
		{`{"$or":[{"a":["x"]},{"b":["y"]}]}`, "", nil},
		{`{"a":["x",{"exists":false}]}`, "", nil},
	}
	for _, tc := range tests {
		k, v := indexKey(MustCompile(tc.pattern).root)
		if k != tc.key || !slices.Equal(v, tc.vals) {
			t.Errorf("%s: index %q %q, want %q %q", tc.pattern, k, v, tc.key, tc.vals)
		}
	}
}

func TestSetConcurrent(t *testing.T) {
	s := NewSet()
	for i, r := range benchRules(100) {
		s.Add(fmt.Sprint(i), r)
	}
	ev, _ := ParseEvent([]byte(benchEvents()[0]))
	want := len(s.Matches(ev, nil))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if n := len(s.Matches(ev, nil)); n != want {
					t.Errorf("concurrent Matches found %d, want %d", n, want)
					return
				}
			}
		}()
	}
	s.Add("late", MustCompile(`{"source":["nothing"]}`))
	wg.Wait()
}
