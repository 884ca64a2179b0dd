package report

import _ "embed"

// JSONSchema is the JSON Schema (draft 2020-12) of vigil's JSON report,
// published with the binary (`vigil scan --print-schema`).
//
//go:embed schema/report.schema.json
var JSONSchema []byte
