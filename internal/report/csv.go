package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// CSVHeader is the first row of the CSV format; its columns are stable.
var CSVHeader = []string{"target", "type", "severity", "vulnerability", "aliases", "package", "version",
	"ecosystem", "purl", "path", "layer", "fixed_in", "fix_state", "cvss_score", "epss", "kev", "title"}

// WriteCSV writes one row per finding of every report (suppressed findings
// are left out).
func WriteCSV(w io.Writer, reports []*Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range reports {
		for _, f := range r.Findings {
			fixed := ""
			if f.FixedIn != nil {
				fixed = *f.FixedIn
			}
			score := ""
			if c := bestCVSS(f.Vulnerability.CVSS); c != nil {
				score = fmt.Sprintf("%.1f", c.BaseScore)
			}
			epss := ""
			if f.Vulnerability.EPSS != nil {
				epss = fmt.Sprintf("%.5f", f.Vulnerability.EPSS.Score)
			}
			kev := "false"
			if f.Vulnerability.KEV != nil {
				kev = "true"
			}
			row := []string{r.Target.Name, string(f.Type), string(f.Severity), f.Vulnerability.ID,
				strings.Join(f.Vulnerability.Aliases, " "), f.Package.Name, f.Package.Version,
				string(f.Package.Ecosystem), f.Package.PURL, f.Package.Path, f.Package.Layer, fixed,
				string(f.FixState), score, epss, kev, f.Title}
			for i, c := range row {
				row[i] = csvSafe(c)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formula injection: advisory text comes from
// outside, and a cell starting with = + - @ would run as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
