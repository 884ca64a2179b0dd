package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/probe"
)

func newProbeCmd(g *Globals) *cobra.Command {
	var (
		ports     string
		opt       probe.Options
		noBanners bool
		format    clientFormat
		attach    probeAttach
	)
	cmd := &cobra.Command{
		Use:   "probe TARGET --ports SPEC [--rate N] [--timeout D] [--attach [--vantage NAME] [--resource ID]]",
		Short: "Active check: rate-limited TCP connect scan of one target, with SSH/HTTP/TLS banners",
		Long: `Probe opens TCP connections to the ports of TARGET (a host name or address) and lists those that
accept, with what their service says: the SSH identification line, the HTTP Server header, the TLS
certificate subject and negotiated ALPN. Use it only against hosts you are allowed to scan: it sends
packets, unlike "vigil network analyze". --ports takes nmap's syntax: 22,80,8000-8100, "-" for all.

With --attach the results go to the server (VIGIL_SERVER, VIGIL_TOKEN), which attaches them as
evidence to the NETWORK_REACHABILITY findings of the probed host whose open range holds a probed
port (the host is --resource, else every host whose agent reports the probed address); a finding
with an open port among them is recorded as confirmed.`,
		Example: `  vigil probe 10.231.1.2 --ports 1-65535 --rate 20000
  vigil probe web.internal --ports 22,80,443 --format json
  vigil probe 203.0.113.7 --ports 1-65535 --attach --vantage office`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := format.check(); err != nil {
				return err
			}
			ps, err := probe.ParsePorts(ports)
			if err != nil {
				return err
			}
			opt.Banners = !noBanners
			var client *apiClient
			if attach.on {
				if client, err = newAPIClient(); err != nil {
					return err
				}
			}
			started := time.Now()
			rep, err := probe.Scan(cmd.Context(), args[0], ps, opt)
			if err != nil {
				return err
			}
			if attach.on {
				att, err := attach.send(cmd.Context(), client, rep, ports, started)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.Stderr, "attached to %d findings of %d hosts (%d confirmed); %d open ports outside every finding's range\n",
					len(att.Findings), len(att.Resources), countConfirmed(att), len(att.Unexpected))
			}
			if format.format == "json" {
				return printJSON(g.Stdout, rep)
			}
			rows := make([][]string, 0, len(rep.Open))
			for _, r := range rep.Open {
				rows = append(rows, []string{strconv.Itoa(r.Port) + "/tcp", "open", serviceName(r.Service), serviceText(r.Service)})
			}
			if err := printTable(g.Stdout, []string{"PORT", "STATE", "SERVICE", "DETAIL"}, rows); err != nil {
				return err
			}
			fmt.Fprintf(g.Stderr, "%s (%s): %d of %d ports open in %v\n", rep.Target, rep.Addr, len(rep.Open), rep.Scanned, rep.Elapsed.Round(time.Millisecond))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&ports, "ports", "1-1024", "ports to scan (22,80,8000-8100; - for all)")
	fl.IntVar(&opt.Rate, "rate", 5000, "connection attempts per second (0 = unbounded)")
	fl.IntVar(&opt.Concurrency, "concurrency", 512, "connections in flight")
	fl.DurationVar(&opt.Timeout, "timeout", time.Second, "connection timeout (a filtered port costs this much)")
	fl.BoolVar(&noBanners, "no-banners", false, "only list open ports")
	fl.BoolVar(&attach.on, "attach", false, "send the results to the server as evidence on the host's NETWORK_REACHABILITY findings")
	fl.StringVar(&attach.vantage, "vantage", "", "name of where the probe runs from, recorded with the evidence (default: this host's name)")
	fl.StringVar(&attach.resource, "resource", "", "HOST resource id the target is (default: hosts whose agent reports the address)")
	fl.StringVar(&attach.account, "account", "", "account of the host (default: the token's)")
	format.add(cmd)
	return cmd
}

func serviceName(s *probe.Service) string {
	if s == nil || s.Name == "" {
		return "unknown"
	}
	return s.Name
}

func serviceText(s *probe.Service) string {
	if s == nil {
		return ""
	}
	var parts []string
	for _, p := range []struct{ k, v string }{{"", s.Banner}, {"server ", s.Server}, {"subject ", s.TLSSubject}, {"alpn ", s.ALPN}, {"", s.TLSVersion}} {
		if p.v != "" {
			parts = append(parts, p.k+p.v)
		}
	}
	return strings.Join(parts, "; ")
}

// probeAttach are the --attach flags of `vigil probe`.
type probeAttach struct {
	on                         bool
	vantage, resource, account string
}

// send posts a probe report to POST /v1/probe-results.
func (a *probeAttach) send(ctx context.Context, c *apiClient, rep *probe.Report, ports string, started time.Time) (*api.ProbeAttached, error) {
	vantage := a.vantage
	if vantage == "" {
		vantage, _ = os.Hostname()
	}
	body := api.ProbeResults{AccountID: model.AccountID(a.account), ResourceID: model.ResourceID(a.resource), Target: rep.Target,
		Addr: rep.Addr, Ports: ports, Open: rep.Open, Vantage: vantage, ProbedAt: started.UTC()}
	var out api.ProbeAttached
	if err := c.do(ctx, "POST", "/v1/probe-results", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func countConfirmed(a *api.ProbeAttached) int {
	n := 0
	for _, f := range a.Findings {
		if f.Confirmed {
			n++
		}
	}
	return n
}
