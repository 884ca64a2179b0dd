package report

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Format names an output format.
type Format string

// Output formats of `vigil scan --format`.
const (
	FormatTable     Format = "table"
	FormatJSON      Format = "json"
	FormatSARIF     Format = "sarif"
	FormatCycloneDX Format = "cyclonedx"
	FormatCSV       Format = "csv"
	FormatASFF      Format = "asff"
	FormatOCSF      Format = "ocsf"
)

// Formats lists the formats Write accepts.
var Formats = []Format{FormatTable, FormatJSON, FormatSARIF, FormatCycloneDX, FormatCSV, FormatASFF, FormatOCSF}

// UnknownFormatError is returned for a format Write does not know.
type UnknownFormatError struct{ Format string }

func (e *UnknownFormatError) Error() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return fmt.Sprintf("unknown format %q (want one of %s)", e.Format, strings.Join(names, ", "))
}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Formats, f) {
		return "", &UnknownFormatError{Format: s}
	}
	return f, nil
}

// WriteOptions tune the writers.
type WriteOptions struct {
	// Color enables ANSI severity colours in the table (only on a TTY).
	Color bool
	// Explain prints each finding's evidence in the table.
	Explain bool
	// ShowSuppressed lists suppressed findings in the table.
	ShowSuppressed bool
}

// Write writes reports in format f. JSON writes one report object for one
// target and an array for several.
func Write(w io.Writer, f Format, reports []*Report, opts WriteOptions) error {
	switch f {
	case FormatTable:
		return WriteTable(w, reports, opts)
	case FormatJSON:
		return WriteJSON(w, reports)
	case FormatCSV:
		return WriteCSV(w, reports)
	case FormatSARIF:
		return WriteSARIF(w, reports)
	case FormatCycloneDX:
		return WriteCycloneDX(w, reports)
	case FormatASFF:
		return WriteASFF(w, reports, ASFFOptionsFromEnv(os.Getenv))
	case FormatOCSF:
		return WriteOCSF(w, reports)
	}
	return &UnknownFormatError{Format: string(f)}
}

// WriteJSON writes vigil's JSON report.
func WriteJSON(w io.Writer, reports []*Report) error {
	if len(reports) == 1 {
		return encodeIndented(w, reports[0])
	}
	if reports == nil {
		reports = []*Report{}
	}
	return encodeIndented(w, reports)
}
