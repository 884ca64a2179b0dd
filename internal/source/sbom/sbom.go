package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// MaxSize bounds the SBOM read, in bytes.
const MaxSize = 256 << 20

// Format is a detected SBOM format.
type Format string

// Formats Read understands.
const (
	FormatCycloneDX Format = "cyclonedx-json"
	FormatSPDX      Format = "spdx-json"
)

// Error reports an SBOM that cannot be read; Name is the file.
type Error struct {
	Name   string
	Reason string
	Err    error
}

func (e *Error) Error() string {
	s := "SBOM " + e.Name + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ReadFile reads an SBOM file into an inventory.
func ReadFile(name string) (*model.Inventory, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &Error{Name: name, Reason: "cannot open", Err: err}
	}
	defer f.Close()
	return Read(name, f)
}

// Read reads an SBOM (format detected from its content) into an inventory
// whose target is the SBOM itself.
func Read(name string, r io.Reader) (*model.Inventory, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &Error{Name: name, Reason: "cannot read", Err: err}
	}
	if len(data) > MaxSize {
		return nil, &Error{Name: name, Reason: fmt.Sprintf("larger than %d bytes", MaxSize)}
	}
	format, err := Detect(data)
	if err != nil {
		return nil, &Error{Name: name, Reason: "not a CycloneDX or SPDX JSON document", Err: err}
	}
	var inv *model.Inventory
	switch format {
	case FormatCycloneDX:
		inv, err = readCycloneDX(data)
	case FormatSPDX:
		inv, err = readSPDX(data)
	}
	if err != nil {
		return nil, &Error{Name: name, Reason: "invalid " + string(format), Err: err}
	}
	inv.Target = model.Target{Kind: model.TargetSBOM, Name: name}
	inv.IndexedAt = time.Now().UTC()
	if inv.Packages == nil {
		inv.Packages = []model.Package{}
	}
	return inv, nil
}

// Detect tells CycloneDX JSON from SPDX JSON by their marker fields.
func Detect(data []byte) (Format, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	br := bufio.NewReader(bytes.NewReader(data))
	var probe struct {
		BOMFormat   string `json:"bomFormat"`
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := json.NewDecoder(br).Decode(&probe); err != nil {
		return "", err
	}
	switch {
	case probe.BOMFormat == "CycloneDX":
		return FormatCycloneDX, nil
	case probe.SPDXVersion != "":
		return FormatSPDX, nil
	}
	return "", errors.New(`neither "bomFormat": "CycloneDX" nor "spdxVersion" found`)
}
