package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	ExitOK    = 0
	ExitGate  = 1
	ExitError = 2
)

// GateError is returned by a command whose policy gate tripped (for
// example `vigil scan --fail-on HIGH` found a HIGH finding). Main maps it to
// exit code 1 without printing it as an error.
type GateError struct{ Reason string }

func (e *GateError) Error() string { return e.Reason }

// Globals holds the process-wide settings every command can read.
type Globals struct {
	DBDir    string
	LogLevel string
	Quiet    bool
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	Logger   *slog.Logger
}

// DefaultDBDir returns the advisory database directory used when neither
// --db-dir nor VIGIL_DB_DIR is set: $XDG_CACHE_HOME/vigil/db, else
// ~/.cache/vigil/db.
func DefaultDBDir() string {
	if d := os.Getenv("VIGIL_DB_DIR"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "vigil", "db")
	}
	return filepath.Join(os.TempDir(), "vigil-db")
}

// NewRoot builds the full command tree. Every subcommand is listed here.
func NewRoot(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "vigil",
		Short:         "Self-hosted vulnerability assessment for hosts, images and functions",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(g.LogLevel)); err != nil {
				return fmt.Errorf("--log-level %q: want debug, info, warn or error", g.LogLevel)
			}
			g.Logger = slog.New(slog.NewTextHandler(g.Stderr, &slog.HandlerOptions{Level: lvl}))
			return nil
		},
	}
	root.SetIn(g.Stdin)
	root.SetOut(g.Stdout)
	root.SetErr(g.Stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.DBDir, "db-dir", DefaultDBDir(), "advisory database directory (env VIGIL_DB_DIR)")
	pf.StringVar(&g.LogLevel, "log-level", "warn", "log level: debug, info, warn, error")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "no progress bars or informational messages")

	root.AddCommand(
		newDBCmd(g),
		newScanCmd(g),
		newSBOMCmd(g),
		newEventsCmd(g),
		newNetworkCmd(g),
		newVersionCmd(g),
		newServerCmd(g),
		newWorkerCmd(g),
		newResourcesCmd(g),
		newFindingsCmd(g),
		newAccountsCmd(g),
		newTokensCmd(g),
		newScanConfigCmd(g),
		newAgentCmd(g), newAgentsCmd(g), newProbeCmd(g),
		newRulesCmd(g), newTargetsCmd(g),
	)
	return root
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &Globals{Stdin: stdin, Stdout: stdout, Stderr: stderr,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	root := NewRoot(g)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var gate *GateError
	if errors.As(err, &gate) {
		if gate.Reason != "" {
			fmt.Fprintln(stderr, gate.Reason)
		}
		return ExitGate
	}
	fmt.Fprintln(stderr, "vigil: "+err.Error())
	return ExitError
}

// info prints a progress message on stderr when it is a terminal and
// --quiet is off; pipelines get only warnings and errors.
func (g *Globals) info(format string, a ...any) {
	f, ok := g.Stderr.(*os.File)
	if g.Quiet || !ok || !isatty.IsTerminal(f.Fd()) {
		return
	}
	fmt.Fprintf(g.Stderr, format+"\n", a...)
}
