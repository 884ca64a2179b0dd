package sqlstore

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/model"
)

// Events of one transaction and one account are stored as blocks of up to
// blockMaxEvents events and blockMaxBytes bytes of payload: compressed
// together, a scan's finding events (which repeat the resource, the
// package and most field names) take about a quarter of the bytes they
// take compressed one by one, and one row instead of dozens.
const (
	blockMaxEvents = 256
	blockMaxBytes  = 1 << 20
)

// maxBlockEvents bounds the events a stored block may declare.
const maxBlockEvents = 4096

// blocks splits events into runs stored as one row each: consecutive
// events of one account, within the block bounds. It returns the end
// index of each run.
func blocks(evs []pendingEvent) []int {
	var ends []int
	n, size := 0, 0
	for i, p := range evs {
		l := len(p.e.Payload) + len(p.e.Type) + len(p.e.Subject)
		if n > 0 && (n == blockMaxEvents || size+l > blockMaxBytes || p.e.AccountID != evs[i-1].e.AccountID) {
			ends = append(ends, i)
			n, size = 0, 0
		}
		n++
		size += l
	}
	return append(ends, len(evs))
}

// encodeBlock encodes events (two or more) as one stored value:
// S2-compressed, the count then each event's type, subject and payload,
// each behind its length (uvarints).
func encodeBlock(evs []pendingEvent) []byte {
	var scratch []byte
	return encodeBlockWith(&scratch, evs)
}

// encodeBlockWith is encodeBlock assembling the uncompressed block in
// *scratch (grown as needed and kept for the next block).
func encodeBlockWith(scratch *[]byte, evs []pendingEvent) []byte {
	size := binary.MaxVarintLen64
	for _, p := range evs {
		size += 3*binary.MaxVarintLen64 + len(p.e.Type) + len(p.e.Subject) + len(p.e.Payload)
	}
	raw := slices.Grow((*scratch)[:0], size)
	raw = binary.AppendUvarint(raw, uint64(len(evs)))
	for _, p := range evs {
		raw = binary.AppendUvarint(raw, uint64(len(p.e.Type)))
		raw = append(raw, p.e.Type...)
		raw = binary.AppendUvarint(raw, uint64(len(p.e.Subject)))
		raw = append(raw, p.e.Subject...)
		raw = binary.AppendUvarint(raw, uint64(len(p.e.Payload)))
		raw = append(raw, p.e.Payload...)
	}
	*scratch = raw
	return s2.Encode(nil, raw)
}

// BlockError says a stored block of events does not decode.
type BlockError struct {
	Seq    int64
	Reason string
}

func (e *BlockError) Error() string {
	return fmt.Sprintf("outbox block ending at %d: %s", e.Seq, e.Reason)
}

// decodeBlock decodes a block stored with seq (its last event's) and
// count events; each event gets its sequence number, the account and
// creation time are the row's (set by the caller).
func decodeBlock(seq int64, count int, stored []byte) ([]model.Event, error) {
	bad := func(format string, a ...any) error { return &BlockError{Seq: seq, Reason: fmt.Sprintf(format, a...)} }
	if count < 2 || count > maxBlockEvents {
		return nil, bad("%d events", count)
	}
	n, err := s2.DecodedLen(stored)
	if err != nil {
		return nil, bad("%v", err)
	}
	if n > maxPayload {
		return nil, bad("%d bytes", n)
	}
	raw, err := s2.Decode(nil, stored)
	if err != nil {
		return nil, bad("%v", err)
	}
	next := func() (uint64, error) {
		v, k := binary.Uvarint(raw)
		if k <= 0 {
			return 0, bad("truncated")
		}
		raw = raw[k:]
		return v, nil
	}
	field := func() ([]byte, error) {
		l, err := next()
		if err != nil {
			return nil, err
		}
		if l > uint64(len(raw)) {
			return nil, bad("a field of %d bytes with %d left", l, len(raw))
		}
		f := raw[:l:l]
		raw = raw[l:]
		return f, nil
	}
	c, err := next()
	if err != nil {
		return nil, err
	}
	if c != uint64(count) {
		return nil, bad("holds %d events, its row says %d", c, count)
	}
	out := make([]model.Event, count)
	for i := range out {
		typ, err := field()
		if err != nil {
			return nil, err
		}
		subj, err := field()
		if err != nil {
			return nil, err
		}
		payload, err := field()
		if err != nil {
			return nil, err
		}
		if len(payload) == 0 {
			payload = nil
		}
		out[i] = model.Event{Seq: seq - int64(count-1-i), Type: string(typ), Subject: string(subj), Payload: payload}
	}
	if len(raw) > 0 {
		return nil, bad("%d bytes after the last event", len(raw))
	}
	return out, nil
}
