package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/probe"
)

func newProbeCmd(g *Globals) *cobra.Command {
	var (
		ports     string
		opt       probe.Options
		noBanners bool
		format    clientFormat
	)
	cmd := &cobra.Command{
		Use:   "probe TARGET --ports SPEC [--rate N] [--timeout D]",
		Short: "Active check: rate-limited TCP connect scan of one target, with SSH/HTTP/TLS banners",
		Long: `Probe opens TCP connections to the ports of TARGET (a host name or address) and lists those that
accept, with what their service says: the SSH identification line, the HTTP Server header, the TLS
certificate subject and negotiated ALPN. Use it only against hosts you are allowed to scan: it sends
packets, unlike "vigil network analyze". --ports takes nmap's syntax: 22,80,8000-8100, "-" for all.`,
		Example: `  vigil probe 10.231.1.2 --ports 1-65535 --rate 20000
  vigil probe web.internal --ports 22,80,443 --format json`,
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
			rep, err := probe.Scan(cmd.Context(), args[0], ps, opt)
			if err != nil {
				return err
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
