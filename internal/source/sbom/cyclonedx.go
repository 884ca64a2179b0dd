package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigilsec/vigil/internal/model"
)

// maxComponents bounds the components walked (nested ones included).
const maxComponents = 1_000_000

func readCycloneDX(data []byte) (*model.Inventory, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, err
	}
	b := newBuilder()
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		b.walkCDX(*bom.Metadata.Component, 0)
	}
	if bom.Components != nil {
		for _, c := range *bom.Components {
			b.walkCDX(c, 0)
		}
	}
	if b.count > maxComponents {
		return nil, fmt.Errorf("more than %d components", maxComponents)
	}
	return b.inventory(), nil
}

func (b *builder) walkCDX(c cdx.Component, depth int) {
	b.count++
	if b.count > maxComponents || depth > 64 {
		return
	}
	if c.Type == cdx.ComponentTypeOS && b.os == nil {
		b.os = osFromIDVersion(strings.ToLower(c.Name), c.Version)
	}
	if c.PackageURL != "" {
		props := map[string]string{}
		if c.Properties != nil {
			for _, p := range *c.Properties {
				props[p.Name] = p.Value
			}
		}
		b.add(c.PackageURL, props, cdxLicenses(c.Licenses), cdxPath(c, props))
	} else if c.Type == cdx.ComponentTypeLibrary || c.Type == cdx.ComponentTypeApplication || c.Type == cdx.ComponentTypeFramework {
		if c.Name != "" && c.Version != "" && c.BOMRef != "target" {
			b.skip(c.Name+"@"+c.Version, errors.New("no purl"))
		}
	}
	if c.Components != nil {
		for _, sub := range *c.Components {
			b.walkCDX(sub, depth+1)
		}
	}
}

func cdxLicenses(ls *cdx.Licenses) []string {
	if ls == nil {
		return nil
	}
	var out []string
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			out = append(out, l.Expression)
		case l.License != nil && l.License.ID != "":
			out = append(out, l.License.ID)
		case l.License != nil && l.License.Name != "":
			out = append(out, l.License.Name)
		}
	}
	return out
}

// cdxPath finds the file a tool says the package came from: vigil's and
// syft's properties, trivy's FilePath, or the first evidence occurrence.
func cdxPath(c cdx.Component, props map[string]string) string {
	for _, k := range []string{"vigil:package:path", "syft:location:0:path", "aquasecurity:trivy:FilePath"} {
		if v := props[k]; v != "" {
			return v
		}
	}
	if c.Evidence != nil && c.Evidence.Occurrences != nil && len(*c.Evidence.Occurrences) > 0 {
		return (*c.Evidence.Occurrences)[0].Location
	}
	return ""
}
