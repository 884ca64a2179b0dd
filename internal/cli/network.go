package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/exposure/aws"
	"github.com/vigilsec/vigil/internal/model"
)

// networkAnalyzeOptions are the flags of `vigil network analyze`.
type networkAnalyzeOptions struct {
	awsDir string
	model  string
	format string
}

// UnknownNetworkFormatError is returned for a --format other than table or
// json.
type UnknownNetworkFormatError struct{ Format string }

// Error implements error.
func (e *UnknownNetworkFormatError) Error() string {
	return fmt.Sprintf("--format %q: want table or json", e.Format)
}

// NoNetworkSourceError is returned when neither or both of --aws and
// --model are given.
type NoNetworkSourceError struct{ Both bool }

// Error implements error.
func (e *NoNetworkSourceError) Error() string {
	if e.Both {
		return "give one of --aws and --model, not both"
	}
	return "no network model: give --aws DIR (a directory of aws ec2/elbv2 describe-* outputs) or --model FILE (vigil's JSON network model)"
}

// newNetworkCmd builds `vigil network`.
func newNetworkCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Analyse network reachability from a network's configuration (no packets sent)",
	}
	cmd.AddCommand(newNetworkAnalyzeCmd(g))
	return cmd
}

func newNetworkAnalyzeCmd(g *Globals) *cobra.Command {
	o := &networkAnalyzeOptions{}
	cmd := &cobra.Command{
		Use:   "analyze --aws DIR | --model FILE",
		Short: "Report the TCP/UDP port ranges of each instance reachable from the internet and peered networks",
		Long: `Analyze reads a network's configuration and reports, for every running instance, the TCP
and UDP port ranges reachable from an internet gateway (directly or through an internet-facing
load balancer), from a peered VPC or from a VPN gateway, with the path of components each crosses
and the rules to tighten. Nothing is sent on the network; no server is needed.

--aws DIR is a directory holding the JSON printed by the AWS CLI, one file per command, named
after it: describe-vpcs.json, describe-subnets.json, describe-route-tables.json,
describe-security-groups.json, describe-network-interfaces.json, describe-instances.json
(required) and describe-internet-gateways.json, describe-nat-gateways.json,
describe-network-acls.json, describe-vpc-peering-connections.json, describe-load-balancers.json,
describe-listeners.json, describe-target-groups.json and describe-target-health-<TargetGroupName>.json
(one per target group). A command may be split over <command>-<suffix>.json files.

--model FILE is vigil's provider-neutral network model in JSON (networks, subnets, routeTables,
gateways, peerings, acls, groups, interfaces, hosts, loadBalancers, targetGroups, portForwards),
for networks no importer covers; see internal/exposure/ANALYSIS.md for the semantics.`,
		Example: `  d=aws-net; mkdir -p $d
  for c in vpcs subnets route-tables internet-gateways nat-gateways network-acls \
           security-groups network-interfaces instances vpc-peering-connections; do
    aws ec2 describe-$c > $d/describe-$c.json
  done
  aws elbv2 describe-load-balancers > $d/describe-load-balancers.json
  vigil network analyze --aws $d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNetworkAnalyze(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.awsDir, "aws", "", "directory of aws ec2/elbv2 describe-* JSON outputs")
	f.StringVar(&o.model, "model", "", "vigil network model (JSON) to analyse instead of --aws")
	f.StringVarP(&o.format, "format", "f", "table", "output format: table, json")
	return cmd
}

// networkReport is the JSON output of `vigil network analyze`.
type networkReport struct {
	SchemaVersion string             `json:"schemaVersion"`
	Source        networkSource      `json:"source"`
	Findings      []exposure.Finding `json:"findings"`
	Warnings      []string           `json:"warnings,omitempty"`
}

type networkSource struct {
	Kind  string   `json:"kind"` // aws or model
	Dir   string   `json:"dir,omitempty"`
	Files []string `json:"files"`
}

func runNetworkAnalyze(ctx context.Context, g *Globals, o *networkAnalyzeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.format != "table" && o.format != "json" {
		return &UnknownNetworkFormatError{Format: o.format}
	}
	if (o.awsDir == "") == (o.model == "") {
		return &NoNetworkSourceError{Both: o.awsDir != ""}
	}
	var m *exposure.Model
	var warnings []string
	var src networkSource
	if o.awsDir != "" {
		imp, err := aws.Load(ctx, o.awsDir, aws.Options{})
		if err != nil {
			return err
		}
		m, warnings = imp.Model, imp.Warnings
		src = networkSource{Kind: "aws", Dir: o.awsDir, Files: imp.Files}
	} else {
		f, err := os.Open(o.model)
		if err != nil {
			return err
		}
		defer f.Close()
		if m, err = exposure.DecodeModel(f, 0); err != nil {
			return fmt.Errorf("%s: %w", o.model, err)
		}
		src = networkSource{Kind: "model", Files: []string{o.model}}
	}
	res, err := exposure.Analyze(ctx, m, exposure.Options{})
	if err != nil {
		return err
	}
	warnings = append(warnings, res.Warnings...)
	if o.format == "json" {
		rep := networkReport{
			SchemaVersion: "1",
			Source:        src,
			Findings:      res.Findings,
			Warnings:      warnings,
		}
		if rep.Findings == nil {
			rep.Findings = []exposure.Finding{}
		}
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	for _, w := range warnings {
		fmt.Fprintln(g.Stderr, "warning: "+w)
	}
	return writeNetworkTable(g.Stdout, res.Findings)
}

// writeNetworkTable prints findings grouped by instance and interface,
// each with its path and remediation, then a summary line.
func writeNetworkTable(w io.Writer, fs []exposure.Finding) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var last string
	counts := map[model.Severity]int{}
	hosts := map[string]bool{}
	for _, f := range fs {
		counts[f.Severity]++
		hosts[f.Resource] = true
		if key := f.Resource + " " + f.Interface; key != last {
			if last != "" {
				fmt.Fprintln(tw)
			}
			fmt.Fprintf(tw, "%s (%s)\n", f.Resource, f.Interface)
			last = key
		}
		n := f.Network
		ports := exposure.PortRange{Lo: n.Ports.Begin, Hi: n.Ports.End}.String()
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\n", f.Severity, n.Protocol, ports, f.Title)
		fmt.Fprintf(tw, "  \t\tpath: %s\n", exposure.PathString(n.Steps))
		fmt.Fprintf(tw, "  \t\tfix:  %s\n", f.Remediation)
	}
	if len(fs) > 0 {
		fmt.Fprintln(tw)
	}
	var parts []string
	for _, s := range model.Severities {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	summary := fmt.Sprintf("%d reachable port ranges on %d instances", len(fs), len(hosts))
	if len(parts) > 0 {
		summary += " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintln(tw, summary)
	return tw.Flush()
}
