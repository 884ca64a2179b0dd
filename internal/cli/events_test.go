package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/event/pattern"
)

// runEvents runs `vigil events ARGS` through a root built here (root.go
// wires the command separately) and maps the error to an exit code as
// Main does.
func runEvents(t *testing.T, stdin string, args ...string) (int, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	root := &cobra.Command{Use: "vigil", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(&out)
	root.SetErr(&errb)
	root.AddCommand(newEventsCmd(g))
	root.SetArgs(append([]string{"events"}, args...))
	err := root.ExecuteContext(context.Background())
	var gate *GateError
	switch {
	case err == nil:
		return ExitOK, out.String(), nil
	case errors.As(err, &gate):
		return ExitGate, out.String(), err
	}
	return ExitError, out.String(), err
}

const testEvent = `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Finding Created",
"source":"vigil","account":"default","time":"2026-11-27T08:00:00Z","region":"local",
"resources":["vigil:image/registry.example.com/app:1.0"],
"detail":{"severity":"CRITICAL","resources":[{"id":"registry.example.com/app:1.0","tags":{"Env":"Prod"}}]}}`

func TestEventsTestPattern(t *testing.T) {
	dir := t.TempDir()
	patFile := filepath.Join(dir, "rule.json")
	evFile := filepath.Join(dir, "event.json")
	if err := os.WriteFile(patFile, []byte(`{"source":["vigil"],"detail":{"severity":["CRITICAL"],"resources":{"tags":{"Env":["Prod"]}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(evFile, []byte(testEvent), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"files match", "", []string{"test-pattern", "--pattern", patFile, "--event", evFile}, ExitOK, "true\n"},
		{"inline match", "", []string{"test-pattern", "--pattern", `{"detail-type":["Finding Created"]}`, "--event", testEvent}, ExitOK, "true\n"},
		{"no match", "", []string{"test-pattern", "--pattern", `{"detail":{"severity":["LOW"]}}`, "--event", evFile}, ExitGate, "false\n"},
		{"event on stdin", testEvent, []string{"test-pattern", "--pattern", patFile, "--event", "-"}, ExitOK, "true\n"},
		{"pattern on stdin", `{"source":["other"]}`, []string{"test-pattern", "--pattern", "-", "--event", evFile}, ExitGate, "false\n"},
		{"invalid pattern", "", []string{"test-pattern", "--pattern", `{"source":"vigil"}`, "--event", evFile}, ExitError, ""},
		{"invalid event JSON", "", []string{"test-pattern", "--pattern", patFile, "--event", `{"a":`}, ExitError, ""},
		{"event lacks envelope", "", []string{"test-pattern", "--pattern", `{"a":["b"]}`, "--event", `{"a":"b"}`}, ExitError, ""},
		{"partial event allowed", "", []string{"test-pattern", "--partial-event", "--pattern", `{"a":["b"]}`, "--event", `{"a":"b"}`}, ExitOK, "true\n"},
		{"missing file", "", []string{"test-pattern", "--pattern", filepath.Join(dir, "nope.json"), "--event", evFile}, ExitError, ""},
		{"missing flag", "", []string{"test-pattern", "--pattern", patFile}, ExitError, ""},
		{"both on stdin", "{}", []string{"test-pattern", "--pattern", "-", "--event", "-"}, ExitError, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, err := runEvents(t, tc.stdin, tc.args...)
			if code != tc.code || out != tc.out {
				t.Errorf("exit %d, stdout %q (err %v); want exit %d, stdout %q", code, out, err, tc.code, tc.out)
			}
		})
	}
}

func TestEventsTestPatternErrorsAreTyped(t *testing.T) {
	_, _, err := runEvents(t, "", "test-pattern", "--pattern", `{"detail":{"state":[]}}`, "--event", testEvent)
	var in *InputError
	var pe *pattern.PatternError
	if !errors.As(err, &in) || !errors.As(err, &pe) {
		t.Fatalf("error %v: want an *InputError wrapping a *pattern.PatternError", err)
	}
	if diff := cmp.Diff(&pattern.PatternError{Path: "detail.state", Reason: "empty arrays are not allowed"}, pe); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if in.Flag != "pattern" || !strings.Contains(err.Error(), "detail.state") {
		t.Errorf("message %q does not name the flag and the path", err)
	}
}

func TestEventsSchema(t *testing.T) {
	code, out, err := runEvents(t, "", "schema")
	if code != ExitOK || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); len(got) != 8 || got[0] != "Finding Created" {
		t.Errorf("detail-types: %q", got)
	}
	for _, arg := range []string{"Finding Created", "finding-created", "ADVISORY DATABASE UPDATED", "defs"} {
		code, out, err := runEvents(t, "", "schema", arg)
		var doc map[string]any
		if code != ExitOK || err != nil || json.Unmarshal([]byte(out), &doc) != nil || doc["$schema"] == nil {
			t.Errorf("schema %q: exit %d, %v, %.80q", arg, code, err, out)
		}
	}
	_, _, err = runEvents(t, "", "schema", "Finding Deleted")
	var ue *UnknownDetailTypeError
	if !errors.As(err, &ue) {
		t.Errorf("unknown detail-type: %v", err)
	}
}
