package rpm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Header tags the extractor reads (rpmtag.h).
const (
	tagName      = 1000
	tagVersion   = 1001
	tagRelease   = 1002
	tagEpoch     = 1003
	tagLicense   = 1014
	tagArch      = 1022
	tagSourceRPM = 1044
)

// Header entry types (rpmtag.h).
const (
	typeInt32       = 4
	typeString      = 6
	typeStringArray = 8
	typeI18NString  = 9
)

// Bounds on one header, as rpm itself sets them.
const (
	maxHeaderEntries = 0xffff
	maxHeaderData    = 256 << 20
	// MaxBlobSize bounds one stored package header.
	MaxBlobSize = 64 << 20
)

// ErrBadHeader reports a package header that cannot be read.
var ErrBadHeader = errors.New("malformed rpm header")

// header holds the tags of one package the extractor uses.
type header struct {
	name, version, release, arch, license, sourceRPM string
	epoch                                            int64
	hasEpoch                                         bool
}

// parseHeader reads a header blob as stored in the rpm database: entry
// count and data length (big-endian int32), the entries, then the data.
func parseHeader(blob []byte) (header, error) {
	var h header
	if len(blob) < 8 {
		return h, fmt.Errorf("%w: %d bytes", ErrBadHeader, len(blob))
	}
	il := int64(binary.BigEndian.Uint32(blob[0:4]))
	dl := int64(binary.BigEndian.Uint32(blob[4:8]))
	if il < 1 || il > maxHeaderEntries || dl > maxHeaderData {
		return h, fmt.Errorf("%w: %d entries, %d data bytes", ErrBadHeader, il, dl)
	}
	dataStart := 8 + il*16
	if dataStart+dl > int64(len(blob)) {
		return h, fmt.Errorf("%w: %d entries and %d data bytes exceed the %d-byte blob", ErrBadHeader, il, dl, len(blob))
	}
	data := blob[dataStart : dataStart+dl]
	for i := int64(0); i < il; i++ {
		e := blob[8+i*16 : 8+i*16+16]
		tag := binary.BigEndian.Uint32(e[0:4])
		typ := binary.BigEndian.Uint32(e[4:8])
		off := int64(int32(binary.BigEndian.Uint32(e[8:12])))
		count := binary.BigEndian.Uint32(e[12:16])
		switch tag {
		case tagName, tagVersion, tagRelease, tagArch, tagLicense, tagSourceRPM:
			s, err := headerString(data, typ, off, count)
			if err != nil {
				return h, fmt.Errorf("tag %d: %w", tag, err)
			}
			switch tag {
			case tagName:
				h.name = s
			case tagVersion:
				h.version = s
			case tagRelease:
				h.release = s
			case tagArch:
				h.arch = s
			case tagLicense:
				h.license = s
			case tagSourceRPM:
				h.sourceRPM = s
			}
		case tagEpoch:
			if typ != typeInt32 || count < 1 || off < 0 || off+4 > int64(len(data)) {
				return h, fmt.Errorf("%w: bad EPOCH entry", ErrBadHeader)
			}
			h.epoch = int64(int32(binary.BigEndian.Uint32(data[off : off+4])))
			h.hasEpoch = true
		}
	}
	return h, nil
}

// headerString reads a NUL-terminated string entry (the first string of
// an array or i18n table).
func headerString(data []byte, typ uint32, off int64, count uint32) (string, error) {
	switch typ {
	case typeString, typeStringArray, typeI18NString:
	default:
		return "", fmt.Errorf("%w: type %d is not a string", ErrBadHeader, typ)
	}
	if count < 1 || off < 0 || off >= int64(len(data)) {
		return "", fmt.Errorf("%w: string offset %d out of %d data bytes", ErrBadHeader, off, len(data))
	}
	end := bytes.IndexByte(data[off:], 0)
	if end < 0 {
		return "", fmt.Errorf("%w: unterminated string", ErrBadHeader)
	}
	return string(data[off : off+int64(end)]), nil
}
