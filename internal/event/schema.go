package event

import (
	"embed"
	"strings"
)

// Schemas holds the JSON Schemas (draft 2020-12) of vigil's events:
// defs.json (the envelope and shared objects) and one file per
// detail-type, named by SchemaFile.
//
//go:embed schemas/*.json
var Schemas embed.FS

// SchemaBaseURI is the base of every schema's $id.
const SchemaBaseURI = "https://github.com/vigilsec/vigil/schemas/events/"

// SchemaFile names the schema of a detail-type inside Schemas:
// "Finding Created" → "schemas/finding-created.json".
func SchemaFile(dt DetailType) string {
	return "schemas/" + strings.ReplaceAll(strings.ToLower(string(dt)), " ", "-") + ".json"
}
