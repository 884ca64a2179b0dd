package cli

import (
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/agent"
)

// agentOptions are the flags of `vigil agent`.
type agentOptions struct {
	cfg      agent.Config
	readRate int64
}

func newAgentCmd(g *Globals) *cobra.Command {
	o := &agentOptions{}
	cmd := &cobra.Command{
		Use:   "agent --server URL --enroll-token T [--state-dir DIR] [--interval D]",
		Short: "Run the host agent: report this host's packages, kernel, listening sockets and firewall to a server",
		Long: `The agent enrolls once with an enrollment token (vigil agents enroll-token create) and keeps the
credential it receives in --state-dir (mode 0600; the server stores only its hash, and an admin can
revoke it). It then reports the host's package inventory (the extractors of "vigil scan fs"), OS and
running kernel, listening sockets with their process and package, and the host firewall (nft -j list
ruleset, iptables-save, ip6tables-save) at start, whenever the content changes (checked every
--poll) and at least every --interval. While the server is unreachable it keeps collecting and
retries with bounded, jittered exponential backoff. It runs at low CPU and idle I/O priority.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg := o.cfg
			if cfg.EnrollToken == "" {
				cfg.EnrollToken = os.Getenv("VIGIL_ENROLL_TOKEN")
			}
			if cfg.Hostname == "" {
				cfg.Hostname, _ = os.Hostname()
			}
			cfg.ReadRate = o.readRate
			cfg.Logger = g.Logger
			cfg.Version = "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				cfg.Version = bi.Main.Version
			}
			a, err := agent.New(cfg)
			if err != nil {
				return err
			}
			return a.Run(ctx)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.cfg.Server, "server", os.Getenv("VIGIL_SERVER"), "server URL (env VIGIL_SERVER)")
	fl.StringVar(&o.cfg.EnrollToken, "enroll-token", "", "enrollment token, used once (env VIGIL_ENROLL_TOKEN)")
	fl.StringVar(&o.cfg.StateDir, "state-dir", "/var/lib/vigil-agent", "directory of the agent's credential and scratch files")
	fl.StringVar(&o.cfg.Hostname, "hostname", "", "name of the host's resource (default: the host name)")
	fl.StringVar(&o.cfg.Root, "root", "/", "root file system to inventory")
	fl.StringVar(&o.cfg.ProcRoot, "proc", "/proc", "proc file system to read sockets and processes from")
	fl.DurationVar(&o.cfg.Interval, "interval", time.Hour, "full report (fresh inventory) at least this often")
	fl.DurationVar(&o.cfg.Poll, "poll", time.Minute, "check sockets and package databases for changes this often")
	fl.DurationVar(&o.cfg.FirewallPoll, "firewall-poll", 0, "read the firewall this often (default: --poll, at least 30s)")
	fl.DurationVar(&o.cfg.MaxBackoff, "max-backoff", 5*time.Minute, "longest wait between retries while the server is unreachable")
	fl.IntVar(&o.cfg.Nice, "nice", 10, "CPU nice level (0 keeps the priority); the I/O class becomes idle too")
	fl.Int64Var(&o.readRate, "read-rate", 16<<20, "bytes per second the package-ownership lookup may read (0 = unlimited)")
	fl.BoolVar(&o.cfg.NoFirewall, "no-firewall", false, "do not read the host firewall")
	fl.BoolVar(&o.cfg.Once, "once", false, "exit after the first successful report")
	return cmd
}
