package epss

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// Bounds on untrusted input.
const (
	// MaxRows is the most score rows accepted (the daily file had about
	// 300,000 in 2025).
	MaxRows = 2_000_000
	// maxLines bounds all lines read, blank ones included.
	maxLines = MaxRows + 1000
	// MaxLineLength is the longest line accepted, in bytes.
	MaxLineLength = 4096
)

// Scores is one EPSS daily file.
type Scores struct {
	// ModelVersion is the comment's model_version ("v2023.03.01"), empty
	// when the file has no comment line.
	ModelVersion string
	// Date is the comment's score_date as YYYY-MM-DD, empty when the file
	// has no comment line.
	Date string
	// Entries holds one score per row, in file order; each carries Date.
	Entries []model.EPSS
}

// Parse reads an EPSS daily file, gzipped or plain.
func Parse(r io.Reader) (*Scores, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ParseError{Reason: "bad gzip header", Err: err}
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	p := parser{r: br}
	return p.parse()
}

// parser reads lines from r; line counts lines read.
type parser struct {
	r    *bufio.Reader
	line int
}

// next returns the next line without its end of line, or io.EOF.
// The slice is valid until the following call.
func (p *parser) next() ([]byte, error) {
	for {
		b, err := p.r.ReadSlice('\n')
		if len(b) > 0 || err == nil {
			p.line++
		}
		if p.line > maxLines {
			return nil, &ParseError{Line: p.line, Reason: fmt.Sprintf("more than %d lines", maxLines)}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull) || len(b) > MaxLineLength:
			return nil, &ParseError{Line: p.line, Reason: fmt.Sprintf("line longer than %d bytes", MaxLineLength)}
		case err != nil && !errors.Is(err, io.EOF):
			return nil, &ParseError{Line: p.line, Reason: "read failed", Err: err}
		case err != nil && len(b) == 0:
			return nil, io.EOF
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(b) > 0 {
			return b, nil
		}
		if err != nil {
			return nil, io.EOF
		}
	}
}

func (p *parser) parse() (*Scores, error) {
	s := &Scores{}
	line, err := p.next()
	if err != nil {
		return nil, p.eofErr(err, "empty file")
	}
	if line[0] == '#' {
		if err := s.readComment(string(line[1:])); err != nil {
			err.Line = p.line
			return nil, err
		}
		if line, err = p.next(); err != nil {
			return nil, p.eofErr(err, "no header line")
		}
	}
	if h := strings.ToLower(strings.TrimSpace(string(line))); h != "cve,epss,percentile" {
		return nil, &ParseError{Line: p.line, Reason: "header is " + quote(h) + ", want cve,epss,percentile"}
	}
	return s, p.rows(s)
}

func (p *parser) eofErr(err error, reason string) error {
	if errors.Is(err, io.EOF) {
		return &ParseError{Line: p.line, Reason: reason}
	}
	return err
}

// chunkRows is how many rows rows gathers per chunk before the final,
// exactly sized Entries slice is built: growing one slice by doubling
// would copy and clear it over and over for a 300,000-row file.
const chunkRows = 1 << 14

// row is a parsed row whose id is arena[previous end:end].
type row struct {
	score, pct float64
	end        int
}

// rows reads the score rows into s.Entries.
func (p *parser) rows(s *Scores) error {
	var (
		arena  []byte // every CVE id, back to back
		chunks [][]row
		n      int
	)
	for {
		line, err := p.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if n >= MaxRows {
			return &ParseError{Line: p.line, Reason: fmt.Sprintf("more than %d rows", MaxRows)}
		}
		cve, score, pct, perr := parseRow(line)
		if perr != "" {
			return &ParseError{Line: p.line, Reason: perr}
		}
		arena = append(arena, cve...)
		if n%chunkRows == 0 {
			chunks = append(chunks, make([]row, 0, chunkRows))
		}
		last := &chunks[len(chunks)-1]
		*last = append(*last, row{score: score, pct: pct, end: len(arena)})
		n++
	}
	ids := string(arena)
	s.Entries = make([]model.EPSS, 0, n)
	start := 0
	for _, c := range chunks {
		for _, r := range c {
			s.Entries = append(s.Entries, model.EPSS{CVE: ids[start:r.end], Score: r.score, Percentile: r.pct, Date: s.Date})
			start = r.end
		}
	}
	return nil
}

// quote renders untrusted text for an error message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}
