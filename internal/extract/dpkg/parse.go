package dpkg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// Bounds on a status file. The largest real status files hold a few
// thousand packages.
const (
	// MaxStanzas bounds the stanzas read from one file.
	MaxStanzas = 200_000
	// maxLine is the longest line kept; longer lines are skipped in
	// pieces (only continuation lines and descriptions get that long).
	maxLine = 64 << 10
)

// ErrTooManyStanzas is returned for files with more than MaxStanzas stanzas.
var ErrTooManyStanzas = errors.New("too many stanzas")

// stanza holds the fields of one control paragraph the extractor uses.
type stanza struct {
	name, version, arch, source, status string
}

// field returns where a field's value goes, or nil for fields the
// extractor does not use. Field names are case-insensitive (deb822).
func (s *stanza) field(key []byte) *string {
	switch string(key) { // the spelling dpkg writes; no allocation
	case "Package":
		return &s.name
	case "Version":
		return &s.version
	case "Architecture":
		return &s.arch
	case "Source":
		return &s.source
	case "Status":
		return &s.status
	}
	if len(key) > len("Architecture") {
		return nil
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"Package", &s.name}, {"Version", &s.version}, {"Architecture", &s.arch}, {"Source", &s.source}, {"Status", &s.status}} {
		if bytes.EqualFold(key, []byte(f.name)) {
			return f.dst
		}
	}
	return nil
}

// parse reads deb822 paragraphs separated by blank lines. Continuation
// lines (starting with a space or tab) and fields it does not use are
// skipped.
func parse(ctx context.Context, r io.Reader) ([]stanza, error) {
	br := bufio.NewReaderSize(r, 32<<10)
	var (
		out  []stanza
		cur  stanza
		open bool
		line int
	)
	flush := func() error {
		if open {
			if len(out) >= MaxStanzas {
				return ErrTooManyStanzas
			}
			out = append(out, cur)
		}
		cur, open = stanza{}, false
		return nil
	}
	for {
		b, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line++
		if line%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b = bytes.TrimRight(b, "\r")
		if len(bytes.TrimSpace(b)) == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '#' {
			continue
		}
		key, value, ok := bytes.Cut(b, []byte{':'})
		if !ok {
			return nil, fmt.Errorf("line %d: no field name", line)
		}
		if dst := cur.field(key); dst != nil {
			*dst = string(bytes.TrimSpace(value))
		}
		open = true
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// readLine returns the next line without its newline; the part of a line
// beyond maxLine is dropped.
func readLine(br *bufio.Reader) ([]byte, error) {
	b, err := br.ReadSlice('\n')
	switch {
	case err == nil:
		return b[:len(b)-1], nil
	case errors.Is(err, bufio.ErrBufferFull):
		keep := append([]byte(nil), b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		return keep, nil
	case err == io.EOF && len(b) > 0:
		return b, nil
	default:
		return nil, err
	}
}
