package index

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
)

// DigestError reports a layer blob whose content does not match its
// digest.
type DigestError struct {
	Want, Got string
}

// Error implements error.
func (e *DigestError) Error() string {
	return fmt.Sprintf("blob digest mismatch: manifest says %s, content is %s", e.Want, e.Got)
}

// verifier hashes a blob as it is read; Close reads the rest of the blob
// (compressed bytes only, no decompression) and checks the digest.
type verifier struct {
	rc   io.ReadCloser
	h    hash.Hash
	want string
}

// verify wraps rc when want is a sha256 digest; otherwise it returns rc.
func verify(rc io.ReadCloser, want string) io.ReadCloser {
	if !strings.HasPrefix(want, "sha256:") {
		return rc
	}
	return &verifier{rc: rc, h: sha256.New(), want: want}
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	return n, err
}

func (v *verifier) Close() error {
	_, err := io.Copy(io.Discard, v)
	cerr := v.rc.Close()
	if err != nil {
		return err
	}
	if got := "sha256:" + hex.EncodeToString(v.h.Sum(nil)); got != v.want {
		return &DigestError{Want: v.want, Got: got}
	}
	return cerr
}
