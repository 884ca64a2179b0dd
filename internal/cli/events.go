package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/event/pattern"
)

// maxEventsInput bounds a --pattern or --event file (or stdin).
const maxEventsInput = 4 << 20

func newEventsCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Work with vigil events and the event patterns that route them",
		Long: `vigil announces every state change (finding created, updated, closed, suppressed; scan
completed; coverage changed; advisory database updated) as an event in an envelope modelled on
Amazon EventBridge's. Rules select events with EventBridge event patterns.`,
	}
	cmd.AddCommand(newEventsTestPatternCmd(g), newEventsSchemaCmd(g), newEventsWatchCmd(g))
	return cmd
}

// UnknownDetailTypeError reports a detail-type vigil does not emit.
type UnknownDetailTypeError struct{ DetailType string }

func (e *UnknownDetailTypeError) Error() string {
	names := make([]string, len(event.DetailTypes))
	for i, d := range event.DetailTypes {
		names[i] = string(d)
	}
	return fmt.Sprintf("unknown detail-type %q (want one of: %s)", e.DetailType, strings.Join(names, ", "))
}

func newEventsSchemaCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [DETAIL-TYPE]",
		Short: "List the event detail-types, or print the JSON Schema of one",
		Long: `Without an argument, schema lists the detail-types vigil emits. With one ("Finding Created",
or finding-created), it prints that detail-type's JSON Schema; "defs" prints the shared
definitions (the envelope and the finding) the schemas refer to.`,
		Example: `  vigil events schema
  vigil events schema "Finding Created"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				for _, d := range event.DetailTypes {
					fmt.Fprintln(g.Stdout, d)
				}
				return nil
			}
			file := ""
			want := strings.ToLower(strings.ReplaceAll(args[0], " ", "-"))
			if want == "defs" {
				file = "schemas/defs.json"
			}
			for _, d := range event.DetailTypes {
				if path.Base(event.SchemaFile(d)) == want+".json" {
					file = event.SchemaFile(d)
				}
			}
			if file == "" {
				return &UnknownDetailTypeError{DetailType: args[0]}
			}
			data, err := event.Schemas.ReadFile(file)
			if err != nil {
				return err
			}
			_, err = g.Stdout.Write(data)
			return err
		},
	}
}

// testPatternFlags are the flags of `vigil events test-pattern`.
type testPatternFlags struct {
	pattern      string
	event        string
	partialEvent bool
}

func newEventsTestPatternCmd(g *Globals) *cobra.Command {
	f := &testPatternFlags{}
	cmd := &cobra.Command{
		Use:   "test-pattern --pattern FILE|JSON --event FILE|JSON",
		Short: "Check whether an event pattern matches an event, as EventBridge's TestEventPattern does",
		Long: `test-pattern compiles an EventBridge event pattern and matches it against one event. It prints
true or false.

Each flag takes a file path, inline JSON (a value starting with '{'), or '-' for standard input.
As TestEventPattern, it requires the event to carry id, account, source, time, region, resources
and detail-type; --partial-event matches any JSON object instead.

Exit codes: 0 the pattern matches; 1 it does not; 2 the pattern or the event is invalid.`,
		Example: `  vigil events test-pattern --pattern rule.json --event event.json
  vigil events test-pattern --pattern '{"detail":{"severity":["CRITICAL"]}}' --event -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTestPattern(g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.pattern, "pattern", "", "event pattern: a file, inline JSON, or - for stdin (required)")
	fl.StringVar(&f.event, "event", "", "event: a file, inline JSON, or - for stdin (required)")
	fl.BoolVar(&f.partialEvent, "partial-event", false, "do not require the envelope fields TestEventPattern requires")
	_ = cmd.MarkFlagRequired("pattern")
	_ = cmd.MarkFlagRequired("event")
	return cmd
}

// InputError reports a --pattern or --event argument that cannot be read.
type InputError struct {
	Flag string
	Err  error
}

func (e *InputError) Error() string { return "--" + e.Flag + ": " + e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

func runTestPattern(g *Globals, f *testPatternFlags) error {
	if f.pattern == "-" && f.event == "-" {
		return &InputError{Flag: "event", Err: errors.New("only one of --pattern and --event can read standard input")}
	}
	pat, err := readJSONArg(g, "pattern", f.pattern)
	if err != nil {
		return err
	}
	evData, err := readJSONArg(g, "event", f.event)
	if err != nil {
		return err
	}
	p, err := pattern.Compile(pat)
	if err != nil {
		return &InputError{Flag: "pattern", Err: err}
	}
	ev, err := pattern.ParseEvent(evData)
	if err != nil {
		return &InputError{Flag: "event", Err: err}
	}
	if !f.partialEvent {
		if err := pattern.CheckTestEvent(ev); err != nil {
			return &InputError{Flag: "event", Err: err}
		}
	}
	if p.MatchEvent(ev) {
		fmt.Fprintln(g.Stdout, "true")
		return nil
	}
	fmt.Fprintln(g.Stdout, "false")
	return &GateError{}
}

// readJSONArg reads a flag's value: inline JSON when it starts with '{' or
// '[' (after blanks), standard input for "-", else a file.
func readJSONArg(g *Globals, flag, v string) ([]byte, error) {
	trimmed := bytes.TrimSpace([]byte(v))
	switch {
	case len(trimmed) == 0:
		return nil, &InputError{Flag: flag, Err: errors.New("empty value")}
	case trimmed[0] == '{' || trimmed[0] == '[':
		return trimmed, nil
	case v == "-":
		return readBounded(g.Stdin, flag)
	}
	fh, err := os.Open(v)
	if err != nil {
		return nil, &InputError{Flag: flag, Err: err}
	}
	defer fh.Close()
	return readBounded(fh, flag)
}

func readBounded(r io.Reader, flag string) ([]byte, error) {
	if r == nil {
		return nil, &InputError{Flag: flag, Err: errors.New("no standard input")}
	}
	data, err := io.ReadAll(io.LimitReader(r, maxEventsInput+1))
	if err != nil {
		return nil, &InputError{Flag: flag, Err: err}
	}
	if len(data) > maxEventsInput {
		return nil, &InputError{Flag: flag, Err: fmt.Errorf("larger than %d bytes", maxEventsInput)}
	}
	return data, nil
}
