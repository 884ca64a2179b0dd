package rpm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/vigilsec/vigil/internal/extract"
)

// File list tags (rpmtag.h).
const (
	tagOldFilenames = 1027
	tagDirIndexes   = 1116
	tagBasenames    = 1117
	tagDirNames     = 1118
)

// Owner reads the file lists of the rpm database's package headers
// (BASENAMES, DIRNAMES and DIRINDEXES, or OLDFILENAMES in headers from
// before rpm 4.1), through the same readers as the extractor.
type Owner struct{}

// Name names the reader in issues.
func (Owner) Name() string { return "owned/rpm" }

// Required wants the rpm databases the extractor reads.
func (Owner) Required(p string) bool { return dbPaths[p] }

// Owned implements fsx.Owner.
func (Owner) Owned(ctx context.Context, in *extract.Input, add func(pkg, path string)) error {
	n := 0
	err := readDB(ctx, in, func(blob []byte) error {
		if n++; n > MaxPackages {
			return ErrTooManyPackages
		}
		return headerFiles(blob, add)
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return &extract.ParseError{Extractor: Owner{}.Name(), Path: in.Path, Err: err}
	}
	return err
}

// readDB calls fn with each package header blob of the database in any
// of its three formats.
func readDB(ctx context.Context, in *extract.Input, fn func([]byte) error) error {
	magic := make([]byte, 16)
	if _, err := in.ReaderAt.ReadAt(magic, 0); err != nil && err != io.EOF {
		return err
	}
	switch {
	case bytes.Equal(magic, []byte(sqliteMagic)):
		return readSQLite(ctx, in.ReaderAt, in.Size, in.TempDir, fn)
	case binary.LittleEndian.Uint32(magic[0:4]) == ndbHeaderMagic:
		return readNDB(ctx, in.ReaderAt, in.Size, fn)
	case binary.LittleEndian.Uint32(magic[12:16]) == bdbHashMagic,
		binary.BigEndian.Uint32(magic[12:16]) == bdbHashMagic:
		return readBDB(ctx, in.ReaderAt, in.Size, fn)
	}
	return ErrUnknownFormat
}

// headerFiles calls add with the package's name and each file it lists.
// Headers without a name (or gpg-pubkey ones) own nothing.
func headerFiles(blob []byte, add func(pkg, path string)) error {
	h, err := parseHeader(blob)
	if err != nil {
		return err
	}
	if h.name == "" || h.name == "gpg-pubkey" {
		return nil
	}
	il := int64(binary.BigEndian.Uint32(blob[0:4]))
	dl := int64(binary.BigEndian.Uint32(blob[4:8]))
	data := blob[8+il*16 : 8+il*16+dl]
	var base, dirs, old []string
	var idx []uint32
	for i := int64(0); i < il; i++ {
		e := blob[8+i*16 : 8+i*16+16]
		tag := binary.BigEndian.Uint32(e[0:4])
		typ := binary.BigEndian.Uint32(e[4:8])
		off := int64(int32(binary.BigEndian.Uint32(e[8:12])))
		count := int64(binary.BigEndian.Uint32(e[12:16]))
		var err error
		switch tag {
		case tagBasenames:
			base, err = stringArray(data, typ, off, count)
		case tagDirNames:
			dirs, err = stringArray(data, typ, off, count)
		case tagOldFilenames:
			old, err = stringArray(data, typ, off, count)
		case tagDirIndexes:
			if typ != typeInt32 || off < 0 || count > int64(len(data))/4 || off+4*count > int64(len(data)) {
				err = fmt.Errorf("%w: bad DIRINDEXES entry", ErrBadHeader)
				break
			}
			idx = make([]uint32, count)
			for j := range idx {
				idx[j] = binary.BigEndian.Uint32(data[off+4*int64(j):])
			}
		}
		if err != nil {
			return fmt.Errorf("tag %d: %w", tag, err)
		}
	}
	if len(base) > 0 {
		if len(idx) != len(base) {
			return fmt.Errorf("%w: %d BASENAMES, %d DIRINDEXES", ErrBadHeader, len(base), len(idx))
		}
		for i, b := range base {
			if int(idx[i]) >= len(dirs) {
				return fmt.Errorf("%w: DIRINDEXES %d out of %d DIRNAMES", ErrBadHeader, idx[i], len(dirs))
			}
			add(h.name, path.Clean("/"+dirs[idx[i]]+b))
		}
		return nil
	}
	for _, f := range old {
		add(h.name, path.Clean("/"+f))
	}
	return nil
}

// stringArray reads count NUL-terminated strings from data at off.
func stringArray(data []byte, typ uint32, off, count int64) ([]string, error) {
	if typ != typeStringArray {
		return nil, fmt.Errorf("%w: type %d is not a string array", ErrBadHeader, typ)
	}
	if off < 0 || off > int64(len(data)) || count > int64(len(data))-off {
		return nil, fmt.Errorf("%w: %d strings at offset %d of %d data bytes", ErrBadHeader, count, off, len(data))
	}
	out := make([]string, 0, count)
	rest := data[off:]
	for range count {
		end := bytes.IndexByte(rest, 0)
		if end < 0 {
			return nil, fmt.Errorf("%w: unterminated string", ErrBadHeader)
		}
		out = append(out, string(rest[:end]))
		rest = rest[end+1:]
	}
	return out, nil
}
