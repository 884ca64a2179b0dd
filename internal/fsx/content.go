package fsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// content is one file's bytes, in memory or spilled to a temporary file.
type content struct {
	mem  []byte
	file *os.File
	size int64
}

// ShortReadError reports a file that ended before its declared size.
type ShortReadError struct {
	Want, Got int64
}

// Error implements error.
func (e *ShortReadError) Error() string {
	return fmt.Sprintf("file ended after %d of %d bytes", e.Got, e.Want)
}

// readContent reads size bytes of r (all of r, up to spill bytes, when size
// is negative). Content above spill bytes goes to a temporary file in dir.
func readContent(r io.Reader, size, spill int64, dir string) (*content, error) {
	if size < 0 {
		b, err := io.ReadAll(io.LimitReader(r, spill+1))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > spill {
			return nil, errors.New("file too large")
		}
		return &content{mem: b, size: int64(len(b))}, nil
	}
	if size <= spill {
		b := make([]byte, size)
		n, err := io.ReadFull(r, b)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, &ShortReadError{Want: size, Got: int64(n)}
			}
			return nil, err
		}
		return &content{mem: b, size: size}, nil
	}
	f, err := os.CreateTemp(dir, "spill-*")
	if err != nil {
		return nil, err
	}
	n, err := io.CopyN(f, r, size)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if errors.Is(err, io.EOF) {
			return nil, &ShortReadError{Want: size, Got: n}
		}
		return nil, err
	}
	return &content{file: f, size: size}, nil
}

// readers returns a fresh Reader and ReaderAt over the content.
func (c *content) readers() (io.Reader, io.ReaderAt) {
	if c.file != nil {
		s := io.NewSectionReader(c.file, 0, c.size)
		return s, s
	}
	r := bytes.NewReader(c.mem)
	return r, r
}

// release removes a spilled file.
func (c *content) release() {
	if c.file != nil {
		name := c.file.Name()
		c.file.Close()
		os.Remove(name)
	}
}
