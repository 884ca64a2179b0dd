package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook request.
const (
	// HeaderSignature is "v1=" and the hex HMAC-SHA256, keyed with the
	// target's secret, of the timestamp header's value, ".", and the body.
	HeaderSignature = "X-Vigil-Signature"
	// HeaderTimestamp is the Unix time of the attempt, in seconds.
	HeaderTimestamp = "X-Vigil-Timestamp"
	// HeaderIdempotencyKey is the envelope's id: the same on every attempt
	// and redelivery of an event.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderEventID repeats the envelope's id; HeaderSeq is the outbox
	// sequence number (ordering per target).
	HeaderEventID = "X-Vigil-Event-Id"
	HeaderSeq     = "X-Vigil-Seq"
)

// Sign returns the signature header value of body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is returned by Verify for a request that was not signed
// with the secret, or too long ago.
var ErrBadSignature = errors.New("webhook signature does not verify")

// Verify checks a webhook request the way a receiver should: the
// timestamp is within tolerance of now (replay protection) and the
// signature, compared in constant time, is the HMAC of "timestamp.body".
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrBadSignature
	}
	want := Sign(secret, ts, body)
	for _, s := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
