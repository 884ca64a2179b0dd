package cli

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/model"
)

// scanConfigFlags are the settings `scan-config set` changes; flags not
// given keep the stored value.
type scanConfigFlags struct {
	types          []string
	mode           string
	include        []string
	exclude        []string
	rescanDuration string
}

func newScanConfigCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scan-config",
		Short: "Show or change an account's scan configuration (VIGIL_SERVER, VIGIL_TOKEN)",
		Long: `The scan configuration says which resource types are scanned, whether continuously or only on
request, which tags include or exclude resources, and how long images stay eligible for rescans
after they were pushed or a scan was last requested. Excluded resources are covered INACTIVE with
SCAN_TYPE_DISABLED, EXCLUDED_BY_TAG or SCAN_ELIGIBILITY_EXPIRED.`,
	}
	var account string
	var gf clientFormat
	get := &cobra.Command{
		Use:   "get",
		Short: "Show the scan configuration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := gf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			var cfg model.ScanConfig
			if err := c.do(cmd.Context(), "GET", "/v1/scan-configuration", accountQuery(account), nil, &cfg); err != nil {
				return err
			}
			if gf.format == "json" {
				return printJSON(g.Stdout, cfg)
			}
			return printScanConfig(g.Stdout, cfg)
		},
	}
	get.Flags().StringVar(&account, "account", "", "account to show (delegated admin only; default the token's)")
	gf.add(get)

	var f scanConfigFlags
	var sf clientFormat
	set := &cobra.Command{
		Use:   "set",
		Short: "Change the scan configuration (admin token); flags not given keep their value",
		Example: `  vigil scan-config set --types HOST,IMAGE --include Env=Prod --exclude Scan=off --rescan-duration DAYS_30
  vigil scan-config set --mode on-demand --account acct-…
  vigil scan-config set --include "" --exclude ""   # no tag filters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := sf.check(); err != nil {
				return err
			}
			c, err := newAPIClient()
			if err != nil {
				return err
			}
			q := accountQuery(account)
			var cfg model.ScanConfig
			if err := c.do(cmd.Context(), "GET", "/v1/scan-configuration", q, nil, &cfg); err != nil {
				return err
			}
			if err := f.apply(cmd, &cfg); err != nil {
				return err
			}
			var stored model.ScanConfig
			if err := c.do(cmd.Context(), "PUT", "/v1/scan-configuration", q, cfg, &stored); err != nil {
				return err
			}
			if sf.format == "json" {
				return printJSON(g.Stdout, stored)
			}
			return printScanConfig(g.Stdout, stored)
		},
	}
	fl := set.Flags()
	fl.StringSliceVar(&f.types, "types", nil, `resource types scanned, comma-separated: HOST, IMAGE, FUNCTION, SBOM ("" for none)`)
	fl.StringVar(&f.mode, "mode", "", "continuous or on-demand")
	fl.StringSliceVar(&f.include, "include", nil, `scan only resources with one of these tags KEY=VALUE or KEY (repeatable; "" for no filter)`)
	fl.StringSliceVar(&f.exclude, "exclude", nil, `never scan resources with one of these tags KEY=VALUE or KEY (repeatable; "" for none)`)
	fl.StringVar(&f.rescanDuration, "rescan-duration", "", "image rescan window: LIFETIME or DAYS_3, 7, 14, 30, 60, 90, 180")
	set.Flags().StringVar(&account, "account", "", "account to configure (delegated admin only; default the token's)")
	sf.add(set)
	cmd.AddCommand(get, set)
	return cmd
}

func accountQuery(account string) url.Values {
	if account == "" {
		return nil
	}
	return url.Values{"accountId": {account}}
}

// apply changes cfg by the flags the command line gave.
func (f *scanConfigFlags) apply(cmd *cobra.Command, cfg *model.ScanConfig) error {
	fl := cmd.Flags()
	if fl.Changed("types") {
		cfg.ResourceTypes = []model.ResourceType{}
		for _, t := range f.types {
			if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
				cfg.ResourceTypes = append(cfg.ResourceTypes, model.ResourceType(t))
			}
		}
	}
	if fl.Changed("mode") {
		cfg.Mode = model.ScanMode(strings.ReplaceAll(strings.ToUpper(f.mode), "-", "_"))
	}
	if fl.Changed("rescan-duration") {
		cfg.ImageRescanDuration = model.RescanDuration(strings.ToUpper(f.rescanDuration))
	}
	var err error
	if fl.Changed("include") {
		if cfg.IncludeTags, err = parseTagFilters("--include", f.include); err != nil {
			return err
		}
	}
	if fl.Changed("exclude") {
		cfg.ExcludeTags, err = parseTagFilters("--exclude", f.exclude)
	}
	return err
}

// parseTagFilters reads KEY=VALUE or KEY (any value) filters; empty
// strings are skipped, so that "" clears the list.
func parseTagFilters(flag string, vs []string) ([]model.TagFilter, error) {
	out := []model.TagFilter{}
	for _, v := range vs {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		k, val, _ := strings.Cut(v, "=")
		if k == "" {
			return nil, fmt.Errorf("%s %q: want KEY=VALUE or KEY", flag, v)
		}
		out = append(out, model.TagFilter{Key: k, Value: val})
	}
	return out, nil
}

func printScanConfig(w io.Writer, c model.ScanConfig) error {
	types := make([]string, 0, len(c.ResourceTypes))
	for _, t := range c.ResourceTypes {
		types = append(types, string(t))
	}
	filters := func(fs []model.TagFilter) string {
		if len(fs) == 0 {
			return "-"
		}
		s := make([]string, 0, len(fs))
		for _, f := range fs {
			s = append(s, f.String())
		}
		return strings.Join(s, ",")
	}
	updated := fmtTime(c.UpdatedAt)
	if c.Default {
		updated = "default (never set)"
	}
	rows := [][]string{
		{"account", string(c.AccountID)},
		{"resource types", orDash(strings.Join(types, ","))},
		{"mode", string(c.Mode)},
		{"include tags", filters(c.IncludeTags)},
		{"exclude tags", filters(c.ExcludeTags)},
		{"image rescan duration", string(c.ImageRescanDuration)},
		{"updated", updated},
	}
	return printTable(w, []string{"SETTING", "VALUE"}, rows)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
