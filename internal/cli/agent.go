package cli

import (
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/agent"
)

// DefaultAgentReadRate is the agent's file-read rate unless --read-rate
// says otherwise: 16 MiB/s.
const DefaultAgentReadRate = 16 << 20

// agentOptions are the flags of `vigil agent`.
type agentOptions struct {
	cfg      agent.Config
	readRate byteRate
}

// byteRate is a flag value in bytes per second, written with an optional
// decimal (kB, MB, GB) or binary (KiB, MiB, GiB) unit and an optional
// "/s": "8MiB/s", "500kB", "1048576". Zero means unlimited.
type byteRate int64

// RateError reports a --read-rate value that is not a byte rate.
type RateError struct{ Value string }

// Error implements error.
func (e *RateError) Error() string {
	return fmt.Sprintf("%q is not a byte rate (e.g. 8MiB/s, 500kB/s, 0 for unlimited)", e.Value)
}

// rateUnits are the multipliers of byteRate, longest suffix first.
var rateUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1},
}

// parseByteRate parses a byteRate.
func parseByteRate(s string) (byteRate, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimSuffix(v, "/s")
	mult := 1.0
	for _, u := range rateUnits {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult >= math.MaxInt64 {
		return 0, &RateError{Value: s}
	}
	return byteRate(f * mult), nil
}

// String implements pflag.Value.
func (r *byteRate) String() string {
	switch n := int64(*r); {
	case n == 0:
		return "0"
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB/s", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB/s", n>>10)
	default:
		return fmt.Sprintf("%dB/s", n)
	}
}

// Set implements pflag.Value.
func (r *byteRate) Set(s string) error {
	v, err := parseByteRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type implements pflag.Value.
func (r *byteRate) Type() string { return "rate" }

func newAgentCmd(g *Globals) *cobra.Command {
	o := &agentOptions{readRate: DefaultAgentReadRate}
	cmd := &cobra.Command{
		Use:   "agent --server URL --enroll-token T [--state-dir DIR] [--interval D]",
		Short: "Run the host agent: report this host's packages, kernel, listening sockets and firewall to a server",
		Long: `The agent enrolls once with an enrollment token (vigil agents enroll-token create) and keeps the
credential it receives in --state-dir (mode 0600; the server stores only its hash, and an admin can
revoke it). It then reports the host's package inventory (the extractors of "vigil scan fs"), OS and
running kernel, listening sockets with their process and package, and the host firewall (nft -j list
ruleset, iptables-save, ip6tables-save) at start, whenever the content changes (checked every
--poll) and at least every --interval. While the server is unreachable it keeps collecting and
retries with bounded, jittered exponential backoff. It runs at low CPU and idle I/O priority, and
reads file contents at most at --read-rate (default 16 MiB/s).`,
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
			cfg.ReadRate = int64(o.readRate)
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
	fl.Var(&o.readRate, "read-rate", "file-read rate of the inventory walk and package lookup (8MiB/s, 500kB/s; 0 = unlimited)")
	fl.BoolVar(&o.cfg.NoFirewall, "no-firewall", false, "do not read the host firewall")
	fl.BoolVar(&o.cfg.Once, "once", false, "exit after the first successful report")
	return cmd
}
