package apk

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// Bounds on an apk database.
const (
	// MaxRecords bounds the packages read from one database.
	MaxRecords = 200_000
	// maxLine is the longest line kept; the rest of a longer line is
	// dropped.
	maxLine = 64 << 10
)

// ErrTooManyRecords is returned for databases with more than MaxRecords
// packages.
var ErrTooManyRecords = errors.New("too many package records")

// record holds the fields of one package the extractor uses.
type record struct {
	name, version, arch, origin, license string
}

// parse reads the paragraphs of an apk database.
func parse(ctx context.Context, r io.Reader) ([]record, error) {
	br := bufio.NewReaderSize(r, maxLine)
	var (
		out  []record
		cur  record
		open bool
		n    int
	)
	flush := func() error {
		if open {
			if len(out) >= MaxRecords {
				return ErrTooManyRecords
			}
			out = append(out, cur)
		}
		cur, open = record{}, false
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
		n++
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b = bytes.TrimRight(b, "\r")
		if len(bytes.TrimSpace(b)) == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if len(b) < 2 || b[1] != ':' {
			return nil, fmt.Errorf("line %d: not a \"X:value\" line", n)
		}
		v := string(bytes.TrimSpace(b[2:]))
		switch b[0] {
		case 'P':
			cur.name = v
		case 'V':
			cur.version = v
		case 'A':
			cur.arch = v
		case 'o':
			cur.origin = v
		case 'L':
			cur.license = v
		}
		open = true
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// readLine returns the next line without its newline; the part of a line
// beyond the reader's buffer is dropped.
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
