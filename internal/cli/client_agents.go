package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/store"
)

func newAgentsCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agents",
		Short: "List and revoke host agents, create enrollment tokens (VIGIL_SERVER, VIGIL_TOKEN)",
	}
	var lf clientFormat
	list := &cobra.Command{
		Use:   "list",
		Short: "List enrolled agents",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var l api.AgentList
			if err := c.do(cmd.Context(), "GET", "/v1/agents", nil, nil, &l); err != nil {
				return err
			}
			if lf.format == "json" {
				return printJSON(g.Stdout, l)
			}
			rows := make([][]string, 0, len(l.Agents))
			for _, a := range l.Agents {
				state := "active"
				if !a.Usable() {
					state = "revoked"
				}
				rows = append(rows, []string{a.ID, a.Hostname, string(a.ResourceID), state, fmtTime(a.LastSeenAt)})
			}
			return printTable(g.Stdout, []string{"ID", "HOSTNAME", "RESOURCE", "STATE", "LAST SEEN"}, rows)
		},
	}
	lf.add(list)
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an agent's credential (admin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var a store.Agent
			if err := c.do(cmd.Context(), "DELETE", "/v1/agents/"+args[0], nil, nil, &a); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "revoked agent %s (%s)\n", a.ID, a.Hostname)
			return nil
		},
	}
	var maxUses int
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "enroll-token NAME",
		Short: "Create an enrollment token (admin); prints its secret once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			req := api.CreateEnrollmentTokenRequest{Name: args[0], MaxUses: maxUses}
			if ttl > 0 {
				req.ExpiresAt = time.Now().Add(ttl)
			}
			var t api.CreatedEnrollmentToken
			if err := c.do(cmd.Context(), "POST", "/v1/agent-enrollment-tokens", nil, req, &t); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "%s\n", t.Secret)
			fmt.Fprintf(g.Stderr, "enrollment token %s (%s), max uses %s\n", t.ID, t.Name, strconv.Itoa(t.MaxUses))
			return nil
		},
	}
	create.Flags().IntVar(&maxUses, "max-uses", 0, "agents that may enroll with it (0 = unbounded)")
	create.Flags().DurationVar(&ttl, "expires-in", 0, "validity (0 = no expiry)")
	cmd.AddCommand(list, revoke, create)
	return cmd
}
