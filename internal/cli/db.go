package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/advisory"
)

// newDBCmd builds `vigil db` with its update, import and status commands.
func newDBCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the advisory database (update, import, status)",
	}
	cmd.AddCommand(newDBUpdateCmd(g), newDBImportCmd(g), newDBStatusCmd(g))
	return cmd
}

func newDBUpdateCmd(g *Globals) *cobra.Command {
	var opts advisory.UpdateOptions
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the advisory feeds and make a new snapshot when they changed",
		Long: `Download the OSV archive of every wanted ecosystem (--ecosystem adds to the
set kept in the database directory; scans add the ecosystems they see), plus
CISA KEV and FIRST EPSS unless --no-enrich, and NVD CVSS for records without a
severity with --nvd (API key from VIGIL_NVD_API_KEY). Unchanged feeds are not
downloaded again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := advisory.Open(g.DBDir)
			if err != nil {
				return err
			}
			opts.NVDAPIKey = os.Getenv("VIGIL_NVD_API_KEY")
			opts.Common = commonOptions(g)
			res, err := db.Update(cmd.Context(), opts)
			return reportUpdate(g, res, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Mirror, "mirror", "", "OSV bucket mirror: a URL or a directory laid out as <Ecosystem>/all.zip")
	f.StringArrayVar(&opts.Ecosystems, "ecosystem", nil, "ecosystem to download (repeatable; remembered), e.g. PyPI, Debian")
	f.BoolVar(&opts.NoEnrich, "no-enrich", false, "skip the KEV and EPSS feeds")
	f.BoolVar(&opts.NVD, "nvd", false, "fetch CVSS from NVD for CVEs of records without a severity (slow, rate-limited)")
	f.StringVar(&opts.KEVURL, "kev-url", "", "KEV catalog URL or file (default: CISA)")
	f.StringVar(&opts.EPSSURL, "epss-url", "", "EPSS daily file URL or file (default: FIRST)")
	f.StringVar(&opts.NVDURL, "nvd-url", "", "NVD CVE API 2.0 endpoint (default: NIST)")
	for _, n := range []string{"kev-url", "epss-url", "nvd-url"} {
		_ = f.MarkHidden(n)
	}
	return cmd
}

func newDBImportCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import PATH",
		Short: "Import feed files from disk (air-gapped use)",
		Long: `Import an OSV bucket directory (<Ecosystem>/all.zip), one all.zip, one OSV
record, a KEV catalog, an EPSS file (.csv or .csv.gz), an NVD API 2.0 response,
a Debian tracker list or an Alpine secdb file, or a bundle directory holding
osv/, kev/, epss/, nvd/, debian-security-tracker/ and alpine-secdb/.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := advisory.Open(g.DBDir)
			if err != nil {
				return err
			}
			res, err := db.Import(cmd.Context(), args[0], advisory.ImportOptions{Common: commonOptions(g)})
			return reportUpdate(g, res, err)
		},
	}
}

func newDBStatusCmd(g *Globals) *cobra.Command {
	var format string
	var staleAfter time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the advisory database's feeds and how fresh they are",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			db, err := advisory.Open(g.DBDir)
			if err != nil {
				return err
			}
			st, err := db.Status(cmd.Context())
			if err != nil {
				return err
			}
			now := time.Now()
			if format == "json" {
				return writeStatusJSON(g.Stdout, st, now, staleAfter)
			}
			writeStatusTable(g.Stdout, st, now, staleAfter)
			for _, f := range st.Feeds {
				if f.Stale(now, staleAfter) {
					fmt.Fprintf(g.Stderr, "warning: feed %s was last updated %s ago; run `vigil db update`\n", f.Name, age(now.Sub(f.CheckedAt)))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().DurationVar(&staleAfter, "stale-after", 7*24*time.Hour, "warn about feeds not updated for this long (0: never)")
	return cmd
}

// commonOptions maps global flags to advisory options: a progress bar on
// stderr only when it is a terminal and --quiet is off.
func commonOptions(g *Globals) advisory.Common {
	c := advisory.Common{Logger: g.Logger}
	if f, ok := g.Stderr.(*os.File); ok && !g.Quiet && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		c.Progress = func(feed string, total int64) io.WriteCloser {
			return &barWriter{progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(f),
				progressbar.OptionSetDescription(feed),
				progressbar.OptionShowBytes(true),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)}
		}
	}
	return c
}

type barWriter struct{ bar *progressbar.ProgressBar }

func (b *barWriter) Write(p []byte) (int, error) { return b.bar.Write(p) }
func (b *barWriter) Close() error                { return b.bar.Finish() }

// reportUpdate prints the outcome of an update or import and turns feed
// failures into one sentence.
func reportUpdate(g *Globals, res *advisory.UpdateResult, err error) error {
	if res == nil {
		return err
	}
	if !g.Quiet {
		tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FEED\tSTATUS\tRECORDS\tSOURCE")
		for _, f := range res.Feeds {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", f.Name, f.Status, f.Records, f.Source)
		}
		tw.Flush()
		if res.Unchanged {
			fmt.Fprintf(g.Stdout, "unchanged: snapshot %s, %d advisories\n", res.Snapshot, res.Records)
		} else if res.Snapshot != "" {
			d := res.Diff
			fmt.Fprintf(g.Stdout, "snapshot %s: %d advisories; %d added, %d modified, %d withdrawn; %d packages affected\n",
				res.Snapshot, res.Records, len(d.Added), len(d.Modified), len(d.Withdrawn), len(d.Packages))
		}
	}
	if err == nil {
		return nil
	}
	var failed []advisory.FeedResult
	for _, f := range res.Feeds {
		if f.Status == advisory.FeedFailed {
			failed = append(failed, f)
		}
	}
	if len(failed) == 0 {
		return err
	}
	kept := "the other feeds were updated"
	if res.Snapshot == "" {
		kept = "no database was created"
	} else if res.Unchanged || res.Snapshot == res.Previous {
		kept = "the database is unchanged"
	}
	if len(failed) == 1 {
		return fmt.Errorf("%s; %s", failed[0].Error, kept)
	}
	msgs := make([]string, len(failed))
	for i, f := range failed {
		msgs[i] = f.Error
	}
	return fmt.Errorf("%d feeds failed (%s); %s", len(failed), strings.Join(msgs, "; "), kept)
}

// statusJSON is the JSON form of `vigil db status`.
type statusJSON struct {
	*advisory.Status
	Feeds []feedJSON `json:"feeds"`
}

type feedJSON struct {
	advisory.FeedStatus
	AgeSeconds int64 `json:"ageSeconds"`
	Stale      bool  `json:"stale"`
}

func writeStatusJSON(w io.Writer, st *advisory.Status, now time.Time, staleAfter time.Duration) error {
	out := statusJSON{Status: st, Feeds: make([]feedJSON, 0, len(st.Feeds))}
	for _, f := range st.Feeds {
		out.Feeds = append(out.Feeds, feedJSON{FeedStatus: f, AgeSeconds: int64(now.Sub(f.CheckedAt).Seconds()), Stale: f.Stale(now, staleAfter)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeStatusTable(w io.Writer, st *advisory.Status, now time.Time, staleAfter time.Duration) {
	fmt.Fprintf(w, "database  %s\nsnapshot  %s (created %s, %s ago)\nrecords   %d\nwanted    %s\n\n",
		st.Dir, st.Snapshot, st.CreatedAt.UTC().Format(time.RFC3339), age(now.Sub(st.CreatedAt)), st.Records, orNone(strings.Join(st.Wanted, ", ")))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED\tKIND\tRECORDS\tFETCHED\tAGE\tSTATE\tSOURCE")
	for _, f := range st.Feeds {
		state := "ok"
		if f.Stale(now, staleAfter) {
			state = "STALE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", f.Name, f.Kind, f.Records,
			f.FetchedAt.UTC().Format("2006-01-02 15:04"), age(now.Sub(f.CheckedAt)), state, f.Source)
	}
	tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// age formats a duration coarsely: 45s, 12m, 5h, 3d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
