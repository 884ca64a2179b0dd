package report

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// uuidFrom derives a version-5-style UUID from its parts, so that the same
// scan at the same instant gets the same serial number (golden tests).
func uuidFrom(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		fmt.Fprint(&b, p, "\x00")
	}
	h := sha256.Sum256([]byte(b.String()))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
