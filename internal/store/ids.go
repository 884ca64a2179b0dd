package store

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns prefix-<20 random hex digits>, e.g. "res-5f3a…". IDs carry
// their kind so that a mistaken id of another kind is never found.
func NewID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return prefix + "-" + hex.EncodeToString(b[:])
}

// NewToken returns a fresh lease or API token secret (32 hex digits).
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
