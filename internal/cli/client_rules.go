package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/store"
)

// newRulesCmd is `vigil rules`: event rules routing events to targets.
func newRulesCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Manage the event rules of a vigil server (VIGIL_SERVER, VIGIL_TOKEN)",
		Long: `An event rule routes the events an EventBridge event pattern matches to up to five targets
(see vigil targets). Check a pattern first with vigil events test-pattern.`,
	}
	var out clientFormat
	list := &cobra.Command{
		Use: "list", Short: "List event rules", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var l api.EventRuleList
			if err := c.do(cmd.Context(), "GET", "/v1/rules", url.Values{"limit": {"1000"}}, nil, &l); err != nil {
				return err
			}
			if out.format == "json" {
				return printJSON(g.Stdout, l)
			}
			rows := make([][]string, 0, len(l.Rules))
			for _, r := range l.Rules {
				rows = append(rows, []string{string(r.ID), r.Name, strconv.FormatBool(r.Enabled), joinIDs(r.Targets), string(r.Pattern)})
			}
			return printTable(g.Stdout, []string{"ID", "NAME", "ENABLED", "TARGETS", "PATTERN"}, rows)
		},
	}
	out.add(list)
	cmd.AddCommand(list, newRuleGetCmd(g), newRuleWriteCmd(g, false), newRuleWriteCmd(g, true),
		newDeleteCmd(g, "rule", "/v1/rules/"))
	return cmd
}

func joinIDs(ids []store.TargetID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ",")
}

func newRuleGetCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use: "get ID", Short: "Show an event rule as JSON", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var r api.EventRuleView
			if err := c.do(cmd.Context(), "GET", "/v1/rules/"+url.PathEscape(args[0]), nil, nil, &r); err != nil {
				return err
			}
			return printJSON(g.Stdout, r)
		},
	}
}

// newRuleWriteCmd is `rules create` or, with update, `rules update ID`.
func newRuleWriteCmd(g *Globals, update bool) *cobra.Command {
	var (
		name, desc, pat, account string
		targets                  []string
		disabled                 bool
	)
	use, short, args := "create", "Create an event rule", cobra.NoArgs
	if update {
		use, short, args = "update ID", "Replace an event rule (every field; unset ones are cleared)", cobra.ExactArgs(1)
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Args: args,
		Example: `  vigil rules create --name crit-prod --target tgt-… \
    --pattern '{"detail-type":["Finding Created"],"detail":{"severity":["CRITICAL"],"resources":{"tags":{"Env":["Prod"]}}}}'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := readJSONArg(g, "--pattern", pat)
			if err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			on := !disabled
			req := api.EventRuleRequest{Name: name, Description: desc, Pattern: json.RawMessage(p), Enabled: &on, Targets: []store.TargetID{}}
			for _, t := range targets {
				req.Targets = append(req.Targets, store.TargetID(t))
			}
			var r api.EventRuleView
			if update {
				err = c.do(cmd.Context(), "PUT", "/v1/rules/"+url.PathEscape(args[0]), nil, req, &r)
			} else {
				req.AccountID = accountID(account)
				err = c.do(cmd.Context(), "POST", "/v1/rules", nil, req, &r)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "%s rule %s (%s)\n", map[bool]string{false: "created", true: "updated"}[update], r.ID, r.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "rule name (required)")
	f.StringVar(&desc, "description", "", "what the rule is for")
	f.StringVar(&pat, "pattern", "", "event pattern: a JSON document, a file, or - for stdin (required)")
	f.StringSliceVar(&targets, "target", nil, "target id, repeatable (at most 5)")
	f.BoolVar(&disabled, "disabled", false, "create or leave the rule disabled")
	if !update {
		f.StringVar(&account, "account", "", "account the rule belongs to (default: the token's)")
	}
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("pattern")
	return cmd
}

// newDeleteCmd deletes the object at prefix+ID.
func newDeleteCmd(g *Globals, kind, prefix string) *cobra.Command {
	return &cobra.Command{
		Use: "delete ID", Short: "Delete a " + kind, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "DELETE", prefix+url.PathEscape(args[0]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "deleted %s %s\n", kind, args[0])
			return nil
		},
	}
}

// newTargetsCmd is `vigil targets`: where events go.
func newTargetsCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "targets",
		Short: "Manage event delivery targets: webhook, command, forward, slack (VIGIL_SERVER, VIGIL_TOKEN)",
		Long: `A target receives the events of the rules that name it, in order, with retries and a
dead-letter list. A webhook's requests are signed (see docs/EVENTS.md); its secret is shown once,
when the target is created. Command targets run only on servers that allow them
(VIGIL_ALLOW_COMMAND_TARGETS=1).`,
	}
	var out clientFormat
	list := &cobra.Command{
		Use: "list", Short: "List targets", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var l api.TargetList
			if err := c.do(cmd.Context(), "GET", "/v1/targets", url.Values{"limit": {"1000"}}, nil, &l); err != nil {
				return err
			}
			if out.format == "json" {
				return printJSON(g.Stdout, l)
			}
			rows := make([][]string, 0, len(l.Targets))
			for _, t := range l.Targets {
				rows = append(rows, []string{string(t.ID), t.Name, string(t.Kind), strconv.FormatInt(t.Cursor, 10), string(t.Config)})
			}
			return printTable(g.Stdout, []string{"ID", "NAME", "KIND", "CURSOR", "CONFIG"}, rows)
		},
	}
	out.add(list)
	cmd.AddCommand(list, newTargetCreateCmd(g), newDeleteCmd(g, "target", "/v1/targets/"),
		newTargetLogCmd(g, "deliveries", "Delivery attempts on a target, newest first"),
		newTargetLogCmd(g, "dead-letters", "Events a target failed to receive after its retries"),
		newTargetReplayCmd(g))
	return cmd
}

func newTargetCreateCmd(g *Globals) *cobra.Command {
	var name, kind, cfg, secret, account, urlFlag string
	var argv []string
	cmd := &cobra.Command{
		Use: "create", Short: "Create a target (admin token)", Args: cobra.NoArgs,
		Example: `  vigil targets create --name siem --kind webhook --url https://siem.example/vigil
  vigil targets create --name hub --kind forward --url https://hub.example:8443 --secret "$HUB_TOKEN"
  vigil targets create --name close-port --kind command --argv /usr/local/bin/close-port --config '{"timeout":"30s"}'`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			conf := map[string]any{}
			if cfg != "" {
				raw, err := readJSONArg(g, "--config", cfg)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(raw, &conf); err != nil {
					return &InputError{Flag: "--config", Err: err}
				}
			}
			if urlFlag != "" {
				conf["url"] = urlFlag
			}
			if len(argv) > 0 {
				conf["argv"] = argv
			}
			raw, _ := json.Marshal(conf)
			req := api.TargetRequest{Name: name, Kind: store.TargetKind(kind), AccountID: accountID(account), Config: raw, Secret: secret}
			var ct api.CreatedTarget
			if err := c.do(cmd.Context(), "POST", "/v1/targets", nil, req, &ct); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "created target %s (%s)\n", ct.Target.ID, ct.Target.Kind)
			if ct.Secret != "" && secret == "" {
				fmt.Fprintf(g.Stdout, "signing secret (shown once, store it now): %s\n", ct.Secret)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "target name (required)")
	f.StringVar(&kind, "kind", "webhook", "webhook, command, forward or slack")
	f.StringVar(&urlFlag, "url", "", "URL of a webhook, Slack or forward target")
	f.StringSliceVar(&argv, "argv", nil, "program and arguments of a command target (comma-separated or repeated)")
	f.StringVar(&cfg, "config", "", "further settings as JSON, a file, or - (timeout, maxAttempts, backoffMin, backoffMax, consoleUrl)")
	f.StringVar(&secret, "secret", "", "webhook signing key (generated when empty) or the forward target's token")
	f.StringVar(&account, "account", "", "account the target belongs to (default: the token's)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newTargetLogCmd(g *Globals, which, short string) *cobra.Command {
	var out clientFormat
	cmd := &cobra.Command{
		Use: which + " TARGET-ID", Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			path := "/v1/targets/" + url.PathEscape(args[0]) + "/" + which
			q := url.Values{"limit": {"1000"}}
			var rows [][]string
			var v any
			if which == "deliveries" {
				var l api.DeliveryList
				err, v = c.do(cmd.Context(), "GET", path, q, nil, &l), &l
				for _, d := range l.Deliveries {
					rows = append(rows, []string{d.At.Format("2006-01-02T15:04:05Z"), strconv.FormatInt(d.Seq, 10), strconv.Itoa(d.Attempt),
						d.Outcome, strconv.Itoa(d.Status), d.Duration.String(), d.Error})
				}
			} else {
				var l api.DeadLetterList
				err, v = c.do(cmd.Context(), "GET", path, q, nil, &l), &l
				for _, d := range l.DeadLetters {
					rows = append(rows, []string{strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.Seq, 10), d.EventID, strconv.Itoa(d.Attempts),
						strconv.FormatBool(d.Replay), d.LastError})
				}
			}
			if err != nil {
				return err
			}
			if out.format == "json" {
				return printJSON(g.Stdout, v)
			}
			header := []string{"AT", "SEQ", "ATTEMPT", "OUTCOME", "STATUS", "DURATION", "ERROR"}
			if which != "deliveries" {
				header = []string{"ID", "SEQ", "EVENT", "ATTEMPTS", "REPLAY", "LAST ERROR"}
			}
			return printTable(g.Stdout, header, rows)
		},
	}
	out.add(cmd)
	return cmd
}

func newTargetReplayCmd(g *Globals) *cobra.Command {
	var ids []int64
	cmd := &cobra.Command{
		Use: "replay TARGET-ID", Short: "Deliver a target's dead letters again (all, or --id …)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var a api.ReplayAnswer
			if err := c.do(cmd.Context(), "POST", "/v1/targets/"+url.PathEscape(args[0])+"/dead-letters/replay", nil, api.ReplayRequest{IDs: ids}, &a); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "replaying %d dead letters\n", a.Replaying)
			return nil
		},
	}
	cmd.Flags().Int64SliceVar(&ids, "id", nil, "dead letter id, repeatable (default: all)")
	return cmd
}

// newEventsWatchCmd is `vigil events watch`: the server's outbox as JSON
// lines, following new events with long polls.
func newEventsWatchCmd(g *Globals) *cobra.Command {
	var since, limit int64
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Print a server's events as JSON lines as they happen (VIGIL_SERVER, VIGIL_TOKEN)",
		Example: `  vigil events watch                 # from now on
  vigil events watch --since 0 --limit 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if since < 0 {
				var l api.EventList
				if err := c.do(ctx, "GET", "/v1/events", url.Values{"since": {"0"}, "limit": {"1"}}, nil, &l); err != nil {
					return err
				}
				// Skip to the end: page through what exists without printing.
				for len(l.Events) > 0 {
					since = l.Last
					if err := c.do(ctx, "GET", "/v1/events", url.Values{"since": {strconv.FormatInt(since, 10)}, "limit": {"1000"}}, nil, &l); err != nil {
						return err
					}
				}
			}
			enc := json.NewEncoder(g.Stdout)
			printed := int64(0)
			for limit <= 0 || printed < limit {
				var l api.EventList
				q := url.Values{"since": {strconv.FormatInt(since, 10)}, "wait": {"30s"}, "limit": {"1000"}}
				if err := c.do(ctx, "GET", "/v1/events", q, nil, &l); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
				for _, e := range l.Events {
					if limit > 0 && printed >= limit {
						break
					}
					if err := enc.Encode(e); err != nil {
						return err
					}
					printed++
				}
				since = l.Last
			}
			return nil
		},
	}
	cmd.Flags().Int64Var(&since, "since", -1, "print events after this sequence number (default: only new ones)")
	cmd.Flags().Int64Var(&limit, "limit", 0, "stop after this many events (0: never)")
	return cmd
}
