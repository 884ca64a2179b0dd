package sqlstore

import (
	"bytes"
	"strings"
	"testing"
)

// TestPayloadEncoding checks that payloads round-trip, that large ones
// are stored compressed and small ones (and those stored before
// compression, which start with their JSON) as they are.
func TestPayloadEncoding(t *testing.T) {
	large := []byte(`{"finding":"` + strings.Repeat("https://nvd.nist.gov/vuln/detail/CVE-2020-28500 ", 40) + `"}`)
	tests := []struct {
		name       string
		payload    []byte
		compressed bool
	}{
		{"nil", nil, false},
		{"small", []byte(`{"a":1}`), false},
		{"large", large, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := encodePayload(tc.payload)
			if got := len(enc) > 0 && enc[0] == 0; got != tc.compressed {
				t.Errorf("compressed = %v, want %v", got, tc.compressed)
			}
			if tc.compressed && len(enc) >= len(tc.payload) {
				t.Errorf("stored %d bytes for %d", len(enc), len(tc.payload))
			}
			dec, err := decodePayload(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec, tc.payload) {
				t.Errorf("round trip changed the payload")
			}
		})
	}
	if _, err := decodePayload([]byte{0, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Error("a corrupt compressed payload decoded")
	}
}

// FuzzDecodePayload checks that no stored payload makes decoding panic
// or allocate beyond its bound, and that what is encoded decodes.
func FuzzDecodePayload(f *testing.F) {
	f.Add([]byte(`{"a":1}`))
	f.Add(encodePayload(bytes.Repeat([]byte("vigil "), 100)))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, p []byte) {
		if d, err := decodePayload(p); err == nil && len(d) > maxPayload {
			t.Fatalf("decoded %d bytes", len(d))
		}
		d, err := decodePayload(encodePayload(p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d, p) {
			t.Fatal("round trip changed the payload")
		}
	})
}
