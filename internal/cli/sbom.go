package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
	"github.com/vigilsec/vigil/internal/scan"
)

type sbomFlags struct {
	format   string
	output   string
	platform string
	layers   []string
	cacheDir string
	timeout  time.Duration
}

func newSBOMCmd(g *Globals) *cobra.Command {
	f := &sbomFlags{}
	cmd := &cobra.Command{
		Use:   "sbom",
		Short: "Write a software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON) of an image, directory or function",
		Long: `sbom indexes a target exactly as "vigil scan" does and writes what it found: the OS as a
component, every package with its purl, the file it came from and, for images, the layer that
introduced it. No advisory database is needed.`,
		Example: `  vigil sbom image alpine:3.19 --format spdx-json --output alpine.spdx.json
  vigil sbom fs . > bom.cdx.json`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVarP(&f.format, "format", "f", "cyclonedx-json", "cyclonedx-json or spdx-json")
	pf.StringVarP(&f.output, "output", "o", "", "write to this file instead of stdout")
	pf.StringVar(&f.cacheDir, "cache-dir", defaultCacheDir(), "per-layer inventory cache (empty disables)")
	pf.DurationVar(&f.timeout, "timeout", 0, "bound the indexing; a partial SBOM is written when hit")
	run := func(kind model.TargetKind) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			return runSBOM(cmd.Context(), g, f, kind, args[0])
		}
	}
	image := &cobra.Command{Use: "image REF", Short: "SBOM of a container image", Args: cobra.ExactArgs(1), RunE: run(model.TargetImage)}
	image.Flags().StringVar(&f.platform, "platform", "", "platform of a multi-arch image (default linux/amd64)")
	fs := &cobra.Command{Use: "fs PATH", Short: "SBOM of a directory or root file system", Args: cobra.ExactArgs(1), RunE: run(model.TargetFS)}
	function := &cobra.Command{Use: "function ZIP", Short: "SBOM of a function package", Args: cobra.ExactArgs(1), RunE: run(model.TargetFunction)}
	function.Flags().StringSliceVar(&f.layers, "layer", nil, "layer zip(s) of the function, in order")
	cmd.AddCommand(image, fs, function)
	return cmd
}

func runSBOM(ctx context.Context, g *Globals, f *sbomFlags, kind model.TargetKind, target string) error {
	var write func(io.Writer, *model.Inventory, report.Generator, time.Time) error
	switch f.format {
	case "cyclonedx-json", "cyclonedx":
		write = report.WriteCycloneDXSBOM
	case "spdx-json", "spdx":
		write = report.WriteSPDX
	default:
		return fmt.Errorf("--format %q: want cyclonedx-json or spdx-json", f.format)
	}
	opts := scan.Options{}
	opts.Index.CacheDir = f.cacheDir
	opts.Index.Timeout = f.timeout
	opts.Image.Platform = f.platform
	g.info("indexing %s %s", kind, target)
	inv, err := scan.Inventory(ctx, scan.Request{Kind: kind, Target: target, Layers: f.layers}, opts)
	if err != nil {
		return fmt.Errorf("cannot index %s: %w", target, err)
	}
	for _, is := range inv.Issues {
		fmt.Fprintf(g.Stderr, "warning: partial inventory: %s: %s %s\n", is.Plugin, is.Reason, is.Path)
	}
	gen := report.Generator{Name: "vigil", Version: vigilVersion()}
	now := time.Now()
	return writeOutput(g.Stdout, f.output, func(w io.Writer) error { return write(w, inv, gen, now) })
}
