package cli

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/api"
)

func newResourcesCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "resources",
		Short: "Manage the resources a vigil server assesses (VIGIL_SERVER, VIGIL_TOKEN)",
	}
	add := &cobra.Command{Use: "add", Short: "Register a resource"}
	var tags []string
	var account string
	var out clientFormat
	image := &cobra.Command{
		Use:     "image REF",
		Short:   "Register a container image reference and queue its scan",
		Example: "  vigil resources add image registry.example.com/team/app:1.4 --tag Env=Prod",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.check(); err != nil {
				return err
			}
			t, err := parseTags(tags)
			if err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var reg api.Registered
			req := api.RegisterImageRequest{Reference: args[0], Tags: t, AccountID: accountID(account)}
			if err := c.do(cmd.Context(), "POST", "/v1/resources/images", nil, req, &reg); err != nil {
				return err
			}
			if out.format == "json" {
				return printJSON(g.Stdout, reg)
			}
			verb := "updated"
			if reg.Created {
				verb = "registered"
			}
			fmt.Fprintf(g.Stdout, "%s %s (%s); scan job %d queued\n", verb, reg.Resource.ID, reg.Resource.Name, reg.JobID)
			return nil
		},
	}
	image.Flags().StringSliceVar(&tags, "tag", nil, "resource tag KEY=VALUE (repeatable)")
	image.Flags().StringVar(&account, "account", "", "account the resource belongs to (delegated admin only; default the token's)")
	out.add(image)
	add.AddCommand(image)

	var lf clientFormat
	var typ, status string
	var ltags []string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List resources with their coverage",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			q := url.Values{}
			if typ != "" {
				q.Set("type", strings.ToUpper(typ))
			}
			if status != "" {
				q.Set("status", strings.ToUpper(status))
			}
			for _, t := range ltags {
				q.Add("tag", t)
			}
			q.Set("limit", fmt.Sprint(limit))
			var page api.ResourceList
			if err := c.do(cmd.Context(), "GET", "/v1/resources", q, nil, &page); err != nil {
				return err
			}
			if lf.format == "json" {
				return printJSON(g.Stdout, page)
			}
			rows := make([][]string, 0, len(page.Resources))
			for _, r := range page.Resources {
				var ts []string
				for k, v := range r.Tags {
					ts = append(ts, k+"="+v)
				}
				sort.Strings(ts)
				rows = append(rows, []string{string(r.ID), string(r.Type), r.Name, string(r.Coverage.Status), string(r.Coverage.Reason),
					fmtTime(r.Coverage.LastScannedAt), strings.Join(ts, ",")})
			}
			return printTable(g.Stdout, []string{"ID", "TYPE", "NAME", "COVERAGE", "REASON", "LAST SCAN", "TAGS"}, rows)
		},
	}
	list.Flags().StringVar(&typ, "type", "", "only this type: HOST, IMAGE, FUNCTION, SBOM")
	list.Flags().StringVar(&status, "status", "", "only this coverage status: ACTIVE, INACTIVE")
	list.Flags().StringSliceVar(&ltags, "tag", nil, "only resources with this tag KEY=VALUE (repeatable)")
	list.Flags().IntVar(&limit, "limit", 1000, "at most this many resources")
	lf.add(list)
	cmd.AddCommand(add, list)
	return cmd
}
