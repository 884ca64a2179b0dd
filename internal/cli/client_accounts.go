package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// accountID converts a flag value.
func accountID(s string) model.AccountID { return model.AccountID(s) }

func newAccountsCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "List and create accounts of the organisation (VIGIL_SERVER, VIGIL_TOKEN)",
	}
	var lf clientFormat
	list := &cobra.Command{
		Use:   "list",
		Short: "List the accounts the token sees",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var l api.AccountList
			if err := c.do(cmd.Context(), "GET", "/v1/accounts", nil, nil, &l); err != nil {
				return err
			}
			if lf.format == "json" {
				return printJSON(g.Stdout, l)
			}
			rows := make([][]string, 0, len(l.Accounts))
			for _, a := range l.Accounts {
				rows = append(rows, []string{string(a.ID), a.Name, strconv.FormatBool(a.DelegatedAdmin), fmtTime(a.CreatedAt)})
			}
			return printTable(g.Stdout, []string{"ID", "NAME", "DELEGATED ADMIN", "CREATED"}, rows)
		},
	}
	lf.add(list)
	var cf clientFormat
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a member account (admin token of the delegated-admin account)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var a model.Account
			if err := c.do(cmd.Context(), "POST", "/v1/accounts", nil, api.CreateAccountRequest{Name: args[0]}, &a); err != nil {
				return err
			}
			if cf.format == "json" {
				return printJSON(g.Stdout, a)
			}
			fmt.Fprintf(g.Stdout, "created account %s (%s)\n", a.ID, a.Name)
			return nil
		},
	}
	cf.add(create)
	cmd.AddCommand(list, create)
	return cmd
}

func newTokensCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "Create, list and revoke API tokens (VIGIL_SERVER, VIGIL_TOKEN)",
	}
	var (
		cf      clientFormat
		role    string
		account string
	)
	create := &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a token; its secret is printed once",
		Example: "  vigil tokens create ci --role read-only",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var t api.CreatedToken
			req := api.CreateTokenRequest{Name: args[0], Role: model.Role(role), AccountID: accountID(account)}
			if err := c.do(cmd.Context(), "POST", "/v1/tokens", nil, req, &t); err != nil {
				return err
			}
			if cf.format == "json" {
				return printJSON(g.Stdout, t)
			}
			fmt.Fprintf(g.Stdout, "created token %s (%s, account %s); secret, shown once:\n%s\n", t.Token.ID, t.Token.Role, t.Token.AccountID, t.Secret)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "member", "role: admin, member or read-only")
	create.Flags().StringVar(&account, "account", "", "account the token acts for (delegated admin only; default the caller's)")
	cf.add(create)
	var lf clientFormat
	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var l api.TokenList
			if err := c.do(cmd.Context(), "GET", "/v1/tokens", nil, nil, &l); err != nil {
				return err
			}
			if lf.format == "json" {
				return printJSON(g.Stdout, l)
			}
			rows := make([][]string, 0, len(l.Tokens))
			for _, t := range l.Tokens {
				rows = append(rows, []string{string(t.ID), t.Name, string(t.Role), string(t.AccountID), fmtTime(t.LastUsedAt), fmtTime(t.RevokedAt)})
			}
			return printTable(g.Stdout, []string{"ID", "NAME", "ROLE", "ACCOUNT", "LAST USED", "REVOKED"}, rows)
		},
	}
	lf.add(list)
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token; it is refused from then on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var t model.Token
			if err := c.do(cmd.Context(), "DELETE", "/v1/tokens/"+args[0], nil, nil, &t); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "revoked token %s at %s\n", t.ID, fmtTime(t.RevokedAt))
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
