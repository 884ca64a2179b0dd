package source

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"

	"github.com/vigilsec/vigil/internal/model"
)

// Lambda layout: the function's code is unpacked in /var/task, its layers
// (in order, later ones overwriting earlier ones) in /opt.
const (
	FunctionCodeDir  = "/var/task"
	FunctionLayerDir = "/opt"
)

// ZipFile is one open zip of a function package.
type ZipFile struct {
	// Path is the file's path; Prefix the directory its entries go under.
	Path   string
	Prefix string
	// Digest is "sha256:<hex>" of the file.
	Digest string
	File   *os.File
	Size   int64
}

// Function is a serverless function package: its code zip and its layer
// zips.
type Function struct {
	Code   *ZipFile
	Layers []*ZipFile
	target model.Target
}

// maxZipSize bounds a function or layer zip (Lambda allows 250 MB
// unzipped; a zip far above that is not a function package).
const maxZipSize = 4 << 30

// OpenFunction opens a function package zip and its layer zips.
func OpenFunction(code string, layers ...string) (*Function, error) {
	f := &Function{}
	z, err := openZip(code, FunctionCodeDir)
	if err != nil {
		return nil, err
	}
	f.Code = z
	for _, l := range layers {
		z, err := openZip(l, FunctionLayerDir)
		if err != nil {
			f.Close()
			return nil, err
		}
		f.Layers = append(f.Layers, z)
	}
	f.target = model.Target{Kind: model.TargetFunction, Name: code, Digest: f.Code.Digest}
	return f, nil
}

func openZip(path, prefix string) (*ZipFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{Target: path, Err: err}
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, &Error{Target: path, Err: err}
	}
	if !st.Mode().IsRegular() || st.Size() > maxZipSize {
		fh.Close()
		return nil, &Error{Target: path, Err: errors.New("not a regular file of at most 4 GiB")}
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(fh, 0, st.Size())); err != nil {
		fh.Close()
		return nil, &Error{Target: path, Err: err}
	}
	return &ZipFile{Path: path, Prefix: prefix, Digest: "sha256:" + hex.EncodeToString(h.Sum(nil)), File: fh, Size: st.Size()}, nil
}

// Target implements Source.
func (f *Function) Target() model.Target { return f.target }

// Close implements Source.
func (f *Function) Close() error {
	var errs []error
	if f.Code != nil {
		errs = append(errs, f.Code.File.Close())
	}
	for _, l := range f.Layers {
		errs = append(errs, l.File.Close())
	}
	return errors.Join(errs...)
}
