package event

import (
	"encoding/json"
	"errors"
	"os"
	"path"
	"testing"
)

// FuzzDecodeEnvelope decodes arbitrary events: Check and DecodeDetail
// return typed errors and never panic.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, dt := range DetailTypes {
		data, err := os.ReadFile("testdata/examples/" + path.Base(SchemaFile(dt)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Envelope
		if json.Unmarshal(data, &e) != nil {
			return
		}
		var ie *InvalidEventError
		if err := e.Check(); err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("Check: %T %v", err, err)
			}
			return
		}
		if _, err := e.DecodeDetail(); err != nil && !errors.As(err, &ie) {
			t.Fatalf("DecodeDetail: %T %v", err, err)
		}
	})
}
