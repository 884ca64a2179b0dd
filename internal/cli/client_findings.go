package cli

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/api"
)

func newFindingsCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "Query the findings of a vigil server (VIGIL_SERVER, VIGIL_TOKEN)",
	}
	var (
		out                                         clientFormat
		severity, status, resource, vuln, pkg, tags []string
		sortBy, order                               string
		limit                                       int
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "List findings matching filters, most severe first",
		Example: `  vigil findings list --severity CRITICAL,HIGH
  vigil findings list --status ACTIVE --package lodash --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			q := url.Values{}
			for k, vs := range map[string][]string{"severity": severity, "findingStatus": status, "resourceId": resource,
				"vulnerabilityId": vuln, "vulnerablePackageName": pkg, "resourceTags": tags} {
				for _, v := range vs {
					if k == "severity" || k == "findingStatus" {
						v = strings.ToUpper(v)
					}
					q.Add(k, v)
				}
			}
			if sortBy != "" {
				q.Set("sort", sortBy)
			}
			if order != "" {
				q.Set("order", order)
			}
			var all api.FindingList
			cursor := ""
			for len(all.Findings) < limit {
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				q.Set("limit", fmt.Sprint(min(1000, limit-len(all.Findings))))
				var page api.FindingList
				if err := c.do(cmd.Context(), "GET", "/v1/findings", q, nil, &page); err != nil {
					return err
				}
				all.Findings = append(all.Findings, page.Findings...)
				all.Next, cursor = page.Next, page.Next
				if cursor == "" {
					break
				}
			}
			if out.format == "json" {
				return printJSON(g.Stdout, all)
			}
			rows := make([][]string, 0, len(all.Findings))
			for _, f := range all.Findings {
				pkgName, fixed := "", ""
				if p := f.FirstPackage(); p != nil {
					pkgName = p.Name + "@" + p.Version
					fixed = p.FixedInVersion
				}
				score := "-"
				if f.Score != nil {
					score = fmt.Sprintf("%.1f", *f.Score)
				}
				rows = append(rows, []string{string(f.Severity), score, f.CheckID, pkgName, fixed, string(f.Status), f.Resource.Name, string(f.ID)})
			}
			if err := printTable(g.Stdout, []string{"SEVERITY", "SCORE", "VULNERABILITY", "PACKAGE", "FIXED IN", "STATUS", "RESOURCE", "ID"}, rows); err != nil {
				return err
			}
			if all.Next != "" {
				fmt.Fprintf(g.Stderr, "more findings than --limit %d; narrow the filters or raise --limit\n", limit)
			}
			return nil
		},
	}
	fl := list.Flags()
	fl.StringSliceVar(&severity, "severity", nil, "only these severities (CRITICAL,HIGH,MEDIUM,LOW,NONE,UNTRIAGED)")
	fl.StringSliceVar(&status, "status", nil, "only these statuses (ACTIVE,SUPPRESSED,CLOSED)")
	fl.StringSliceVar(&resource, "resource", nil, "only findings of these resource ids")
	fl.StringSliceVar(&vuln, "vulnerability", nil, "only these vulnerability ids")
	fl.StringSliceVar(&pkg, "package", nil, "only these package names")
	fl.StringSliceVar(&tags, "tag", nil, "only resources with this tag KEY=VALUE (repeatable)")
	fl.StringVar(&sortBy, "sort", "", "sort by SEVERITY, SCORE, EPSS, FIRST_OBSERVED_AT, LAST_OBSERVED_AT")
	fl.StringVar(&order, "order", "", "ASC or DESC")
	fl.IntVar(&limit, "limit", 1000, "at most this many findings")
	out.add(list)
	cmd.AddCommand(list)
	return cmd
}
