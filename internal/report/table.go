package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/model"
)

var severityColor = map[model.Severity]string{
	model.SeverityCritical:  "\x1b[1;31m",
	model.SeverityHigh:      "\x1b[31m",
	model.SeverityMedium:    "\x1b[33m",
	model.SeverityLow:       "\x1b[34m",
	model.SeverityNone:      "\x1b[2m",
	model.SeverityUntriaged: "\x1b[35m",
}

const colorReset = "\x1b[0m"

// WriteTable writes the human-readable report: one section per target,
// findings grouped by package, then a summary line of counts by severity.
func WriteTable(w io.Writer, reports []*Report, opts WriteOptions) error {
	ew := &errWriter{w: w}
	for i, r := range reports {
		if i > 0 {
			ew.printf("\n")
		}
		writeTarget(ew, r, opts)
	}
	return ew.err
}

func writeTarget(ew *errWriter, r *Report, opts WriteOptions) {
	ew.printf("%s\n", targetLine(r))
	for _, is := range r.Issues {
		ew.printf("  partial: %s\n", issueText(is))
	}
	for _, wn := range r.Warnings {
		ew.printf("  warning: %s\n", wn.Message)
	}
	if len(r.Findings) == 0 {
		ew.printf("\nNo vulnerabilities found in %d packages.\n", r.Packages)
	} else {
		ew.printf("\n")
		writeFindings(ew, r.Findings, opts)
	}
	if opts.ShowSuppressed && len(r.Suppressed) > 0 {
		ew.printf("\nSuppressed:\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "PACKAGE\tVERSION\tVULNERABILITY\tBY\tREASON\n")
		for _, f := range r.Suppressed {
			d := f.Suppression
			by := string(d.Kind)
			if d.Status != "" {
				by += " " + d.Status
			}
			if d.Justification != "" {
				by += " (" + d.Justification + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Package.Name, f.Package.Version, f.Vulnerability.ID, by, oneLine(d.Reason, 60))
		}
		_ = tw.Flush()
	}
	ew.printf("\n%s\n", summaryLine(r, opts.Color))
}

func targetLine(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Target.Kind, r.Target.Name)
	if r.Target.Digest != "" && r.Target.Digest != r.Target.Name {
		fmt.Fprintf(&b, " (%s)", r.Target.Digest)
	}
	switch {
	case r.OS != nil && r.OS.Unknown:
		fmt.Fprintf(&b, " — unknown distribution %q (OS packages not matched)", r.OS.ID)
	case r.OS != nil && r.OS.PrettyName != "":
		fmt.Fprintf(&b, " — %s", r.OS.PrettyName)
	case r.OS != nil:
		fmt.Fprintf(&b, " — %s %s", r.OS.ID, r.OS.VersionID)
	}
	fmt.Fprintf(&b, "\n%d packages, advisory snapshot %s", r.Packages, r.DBSnapshot)
	return b.String()
}

func writeFindings(ew *errWriter, fs []Finding, opts WriteOptions) {
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "PACKAGE\tINSTALLED\tFIXED IN\tVULNERABILITY\tSEVERITY\tEPSS\tKEV\tPATH\n")
	prev := ""
	for _, f := range groupByPackage(fs) {
		key := f.Package.Name + "\x00" + f.Package.Version + "\x00" + f.Package.Path
		name, ver, path := f.Package.Name, f.Package.Version, f.Package.Path
		if f.Package.Layer != "" {
			path += " @" + shortDigest(f.Package.Layer)
		}
		if key == prev {
			name, ver, path = "", "", ""
		}
		prev = key
		fixed := "-"
		if f.FixedIn != nil {
			fixed = *f.FixedIn
		} else if f.FixState == model.FixStateWontFix {
			fixed = "(won't fix)"
		}
		sev := string(f.Severity)
		if opts.Color {
			sev = severityColor[f.Severity] + sev + colorReset
		}
		epss := "-"
		if f.Vulnerability.EPSS != nil {
			epss = fmt.Sprintf("%.1f%%", f.Vulnerability.EPSS.Score*100)
		}
		kev := ""
		if f.Vulnerability.KEV != nil {
			kev = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, ver, fixed, f.Vulnerability.ID, sev, epss, kev, path)
	}
	_ = tw.Flush()
	if !opts.Explain {
		return
	}
	ew.printf("\nWhy they matched:\n")
	for _, f := range groupByPackage(fs) {
		ew.printf("  %s on %s %s:\n", f.Vulnerability.ID, f.Package.Name, f.Package.Version)
		if len(f.Explanation) == 0 {
			ew.printf("    (no evidence recorded)\n")
		}
		for _, e := range f.Explanation {
			ew.printf("    %s\n", explainLine(e))
		}
	}
}

// groupByPackage orders findings so that a package's findings are
// adjacent, packages in the order of their most severe finding.
func groupByPackage(fs []Finding) []Finding {
	order := map[string]int{}
	var keys []string
	groups := map[string][]Finding{}
	for _, f := range fs {
		k := f.Package.Name + "\x00" + f.Package.Version + "\x00" + f.Package.Path
		if _, ok := order[k]; !ok {
			order[k] = len(keys)
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	out := make([]Finding, 0, len(fs))
	for _, k := range keys {
		out = append(out, groups[k]...)
	}
	return out
}

// ExplainLine renders one piece of evidence in a sentence.
func explainLine(e model.Evidence) string {
	by := "package " + e.Package
	if e.MatchedBy == "source" {
		by = "source package " + e.Package
	}
	return fmt.Sprintf("%s %s in %s: version %s is in %s (feed %s, snapshot %s)",
		e.Advisory, by, e.Ecosystem, e.Version, e.Range, e.Feed, e.Snapshot)
}

func summaryLine(r *Report, color bool) string {
	var parts []string
	for _, s := range model.Severities {
		n := r.Summary.BySeverity[s]
		if n == 0 {
			continue
		}
		p := fmt.Sprintf("%s: %d", s, n)
		if color {
			p = severityColor[s] + p + colorReset
		}
		parts = append(parts, p)
	}
	line := fmt.Sprintf("Total: %d", r.Summary.Total)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	line += fmt.Sprintf(", %d fixable", r.Summary.Fixable)
	if r.Summary.Suppressed > 0 {
		line += fmt.Sprintf(", %d suppressed", r.Summary.Suppressed)
	}
	if r.Partial {
		line += " — PARTIAL inventory, see above"
	}
	return line
}

func issueText(is model.Issue) string {
	s := is.Plugin + ": " + is.Reason
	if is.Path != "" {
		s += " (" + is.Path + ")"
	}
	return s
}

func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }
