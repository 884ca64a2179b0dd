package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/suppress"
)

// scanFlags are the flags every `vigil scan` subcommand shares.
type scanFlags struct {
	format         string
	output         string
	severity       []string
	ignoreUnfixed  bool
	failOn         string
	ignoreFile     string
	vex            []string
	explain        bool
	showSuppressed bool
	offline        bool
	mirror         string
	staleAfter     time.Duration
	platform       string
	layers         []string
	cacheDir       string
	timeout        time.Duration
	maxFileSize    int64
	color          string
}

func newScanCmd(g *Globals) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan an image, a directory, a function package or an SBOM for known vulnerabilities",
		Long: `Scan indexes a target (what is installed, from which file and layer) and matches it
against the advisory database, in one process with no server.

Exit codes: 0 no finding at or above --fail-on (or no --fail-on); 1 the --fail-on gate tripped;
2 usage errors and every other failure (the target cannot be read, no database with --offline, …).

Suppression: findings named in .vigilignore.yaml (or --ignore-file) are hidden until their
"expires" date, after which they are reported again with a warning; OpenVEX documents given with
--vex hide findings whose statement is not_affected or fixed. Suppressed findings are listed in
the JSON report and with --show-suppressed.`,
		Example: `  vigil scan fs .
  vigil scan image alpine:3.19 --fail-on HIGH
  vigil scan image oci-layout:./build/image --format sarif --output vigil.sarif
  vigil scan function build/lambda.zip --layer build/deps-layer.zip
  vigil scan sbom bom.cdx.json --format json --ignore-unfixed`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVarP(&f.format, "format", "f", "table", "output format: table, json, sarif, cyclonedx, csv, asff, ocsf")
	pf.StringVarP(&f.output, "output", "o", "", "write the report to this file instead of stdout")
	pf.StringSliceVar(&f.severity, "severity", nil, "only report these severities (comma-separated: CRITICAL,HIGH,MEDIUM,LOW,NONE,UNTRIAGED)")
	pf.BoolVar(&f.ignoreUnfixed, "ignore-unfixed", false, "leave out vulnerabilities that have no fixed version")
	pf.StringVar(&f.failOn, "fail-on", "", "exit 1 when a reported finding is at or above this severity")
	pf.StringVar(&f.ignoreFile, "ignore-file", "", "ignore file (default "+suppress.DefaultIgnoreFile+" when it exists)")
	pf.StringSliceVar(&f.vex, "vex", nil, "OpenVEX document(s) whose not_affected/fixed statements suppress findings")
	pf.BoolVar(&f.explain, "explain", false, "show why each finding matched: range, fixed version, source package, feed and snapshot")
	pf.BoolVar(&f.showSuppressed, "show-suppressed", false, "list suppressed findings in the table")
	pf.BoolVar(&f.offline, "offline", false, "never download: use the local advisory database only")
	pf.StringVar(&f.mirror, "mirror", "", "OSV mirror (URL or directory in bucket layout) for the first download")
	pf.DurationVar(&f.staleAfter, "stale-after", 7*24*time.Hour, "warn when the advisory database is older than this")
	pf.StringVar(&f.cacheDir, "cache-dir", defaultCacheDir(), "per-layer inventory cache (env VIGIL_CACHE_DIR; empty disables)")
	pf.DurationVar(&f.timeout, "timeout", 0, "bound the indexing of each target; a partial result is reported when hit")
	pf.Int64Var(&f.maxFileSize, "max-file-size", 0, "skip files larger than this many bytes (default 512 MiB)")
	pf.StringVar(&f.color, "color", "auto", "severity colours in the table: auto, always, never")

	image := &cobra.Command{
		Use:   "image REF...",
		Short: "Scan container images: registry references, oci-layout:DIR or docker-archive:FILE",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), g, f, model.TargetImage, args)
		},
	}
	image.Flags().StringVar(&f.platform, "platform", "", "platform of a multi-arch image (default linux/amd64)")
	fs := &cobra.Command{
		Use:   "fs PATH...",
		Short: "Scan directories or root file systems",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), g, f, model.TargetFS, args)
		},
	}
	function := &cobra.Command{
		Use:   "function ZIP",
		Short: "Scan a serverless function package (Lambda zip) and its layers",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), g, f, model.TargetFunction, args)
		},
	}
	function.Flags().StringSliceVar(&f.layers, "layer", nil, "layer zip(s) of the function, in order")
	sbomCmd := &cobra.Command{
		Use:   "sbom FILE...",
		Short: "Scan CycloneDX or SPDX JSON SBOMs",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), g, f, model.TargetSBOM, args)
		},
	}
	cmd.AddCommand(image, fs, function, sbomCmd)
	return cmd
}

func defaultCacheDir() string {
	if d := os.Getenv("VIGIL_CACHE_DIR"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return d + "/vigil/layers"
	}
	return ""
}

// scanSettings are the validated flags.
type scanSettings struct {
	format     report.Format
	severities []model.Severity
	failOn     model.Severity
	suppress   *suppress.Set
	color      bool
}

func parseScanFlags(g *Globals, f *scanFlags, now time.Time) (*scanSettings, error) {
	s := &scanSettings{}
	var err error
	if s.format, err = report.ParseFormat(f.format); err != nil {
		return nil, err
	}
	for _, v := range f.severity {
		sev, err := parseSeverity(v)
		if err != nil {
			return nil, fmt.Errorf("--severity: %w", err)
		}
		s.severities = append(s.severities, sev)
	}
	if f.failOn != "" {
		if s.failOn, err = parseSeverity(f.failOn); err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
	}
	var ignores []*suppress.IgnoreFile
	name := f.ignoreFile
	if name == "" {
		if _, err := os.Stat(suppress.DefaultIgnoreFile); err == nil {
			name = suppress.DefaultIgnoreFile
		}
	}
	if name != "" {
		ig, err := suppress.LoadIgnoreFile(name)
		if err != nil {
			return nil, err
		}
		ignores = append(ignores, ig)
	}
	var docs []*suppress.VEXDoc
	for _, v := range f.vex {
		d, err := suppress.LoadVEX(v)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	s.suppress = suppress.NewSet(now, ignores, docs)
	switch f.color {
	case "always":
		s.color = true
	case "never":
	case "auto":
		if out, ok := g.Stdout.(*os.File); ok && f.output == "" && os.Getenv("NO_COLOR") == "" {
			s.color = isatty.IsTerminal(out.Fd())
		}
	default:
		return nil, fmt.Errorf("--color %q: want auto, always or never", f.color)
	}
	return s, nil
}

func parseSeverity(s string) (model.Severity, error) {
	sev := model.Severity(strings.ToUpper(strings.TrimSpace(s)))
	if sev == "INFORMATIONAL" {
		sev = model.SeverityNone
	}
	if sev.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want CRITICAL, HIGH, MEDIUM, LOW, NONE or UNTRIAGED)", s)
	}
	return sev, nil
}

func runScan(ctx context.Context, g *Globals, f *scanFlags, kind model.TargetKind, targets []string) error {
	tuneGCForScan()
	now := time.Now()
	set, err := parseScanFlags(g, f, now)
	if err != nil {
		return err
	}
	opts := scan.Options{}
	opts.Index.CacheDir = f.cacheDir
	opts.Index.Timeout = f.timeout
	opts.Index.Limits.MaxFileSize = f.maxFileSize
	opts.Image.Platform = f.platform

	// Index first: the inventories say which ecosystems the database needs.
	invs := make([]*model.Inventory, 0, len(targets))
	for _, t := range targets {
		g.info("indexing %s %s", kind, t)
		inv, err := scan.Inventory(ctx, scan.Request{Kind: kind, Target: t, Layers: f.layers}, opts)
		if err != nil {
			return fmt.Errorf("cannot index %s: %w", t, err)
		}
		invs = append(invs, inv)
	}
	snap, warnings, err := openSnapshot(ctx, g, f, invs, now)
	if err != nil {
		return err
	}
	defer snap.Close()
	g.info("loading advisory index of snapshot %s", snap.ID())
	ix, err := match.Load(ctx, snap)
	if err != nil {
		return fmt.Errorf("cannot load the advisory index: %w", err)
	}
	engine := &scan.Engine{Index: ix}
	reports := make([]*report.Report, 0, len(invs))
	for _, inv := range invs {
		ms, err := engine.Match(ctx, inv)
		if err != nil {
			return fmt.Errorf("cannot match %s: %w", inv.Target.Name, err)
		}
		r := report.Build(inv, ms, report.Options{
			Severities: set.severities, IgnoreUnfixed: f.ignoreUnfixed, Explain: f.explain,
			Suppress: set.suppress, Now: now, Generator: report.Generator{Name: "vigil", Version: vigilVersion()},
			DBSnapshot: snap.ID(),
		})
		r.Warnings = append(r.Warnings, warnings...)
		r.Warnings = append(r.Warnings, missingFeeds(snap, inv)...)
		reports = append(reports, r)
	}
	for _, r := range reports {
		for _, w := range r.Warnings {
			if f.format != "table" || f.output != "" {
				fmt.Fprintf(g.Stderr, "warning: %s\n", w.Message)
			}
		}
	}
	if err := writeReports(g, f, set, reports); err != nil {
		return err
	}
	if set.failOn != "" {
		total := 0
		for _, r := range reports {
			n, _ := r.Gate(set.failOn)
			total += n
		}
		if total > 0 {
			return &GateError{Reason: fmt.Sprintf("%d finding(s) at or above %s (--fail-on %s)", total, set.failOn, set.failOn)}
		}
	}
	return nil
}

func writeReports(g *Globals, f *scanFlags, set *scanSettings, reports []*report.Report) error {
	return writeOutput(g.Stdout, f.output, func(w io.Writer) error {
		return report.Write(w, set.format, reports, report.WriteOptions{Color: set.color, Explain: f.explain, ShowSuppressed: f.showSuppressed})
	})
}

// openSnapshot returns the current advisory snapshot, downloading the
// database first when there is none (unless --offline), and the warnings
// to attach to every report (stale database).
func openSnapshot(ctx context.Context, g *Globals, f *scanFlags, invs []*model.Inventory, now time.Time) (*advisory.Snapshot, []report.Warning, error) {
	db, err := advisory.Open(g.DBDir)
	if err != nil {
		return nil, nil, err
	}
	var ecos []string
	for _, inv := range invs {
		for _, e := range scan.Ecosystems(inv) {
			if !slices.Contains(ecos, e) {
				ecos = append(ecos, e)
			}
		}
	}
	snap, err := db.Current(ctx)
	var nodb *advisory.NoDatabaseError
	switch {
	case errors.As(err, &nodb) && f.offline:
		return nil, nil, fmt.Errorf("no advisory database in %s and --offline is set: import one with `vigil db import PATH` (or run without --offline to download it)", g.DBDir)
	case errors.As(err, &nodb):
		if len(ecos) == 0 {
			ecos = []string{string(model.EcosystemGo)}
		}
		g.info("no advisory database yet: downloading %s into %s", strings.Join(ecos, ", "), g.DBDir)
		res, uerr := db.Update(ctx, advisory.UpdateOptions{Mirror: f.mirror, Ecosystems: ecos, Common: commonOptions(g)})
		if uerr != nil {
			return nil, nil, reportUpdateError(res, uerr)
		}
		if snap, err = db.Current(ctx); err != nil {
			return nil, nil, err
		}
	case err != nil:
		return nil, nil, err
	default:
		// Remember what these scans needed, so that the next `vigil db
		// update` fetches it.
		if werr := db.Want(ecos...); werr != nil {
			g.Logger.Warn("cannot record wanted ecosystems", "err", werr)
		}
	}
	var warnings []report.Warning
	if age := now.Sub(snap.CreatedAt()); f.staleAfter > 0 && age > f.staleAfter {
		warnings = append(warnings, report.Warning{Source: "database", Message: fmt.Sprintf(
			"the advisory database is %s old (snapshot %s); run `vigil db update`", roundAge(age), snap.ID())})
	}
	return snap, warnings, nil
}

func reportUpdateError(res *advisory.UpdateResult, err error) error {
	if res == nil || res.Snapshot == "" {
		return fmt.Errorf("cannot download the advisory database: %w", err)
	}
	return nil
}

// missingFeeds warns about ecosystems of the inventory that no feed of the
// snapshot covers: their packages cannot be matched.
func missingFeeds(snap *advisory.Snapshot, inv *model.Inventory) []report.Warning {
	have := map[string]bool{}
	for _, fs := range snap.Feeds() {
		name := fs.Name
		switch {
		case strings.HasPrefix(name, "osv/"):
			have[strings.TrimPrefix(name, "osv/")] = true
		case strings.HasPrefix(name, "debian/"):
			have[string(model.EcosystemDebian)] = true
		case strings.HasPrefix(name, "alpine/"):
			have[string(model.EcosystemAlpine)] = true
		}
	}
	var out []report.Warning
	for _, e := range scan.Ecosystems(inv) {
		if !have[e] {
			out = append(out, report.Warning{Source: "database", Message: fmt.Sprintf(
				"the advisory database has no %s advisories: %s packages were not matched (run `vigil db update --ecosystem %q`)", e, e, e)})
		}
	}
	return out
}

func roundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	return d.Round(time.Minute).String()
}
