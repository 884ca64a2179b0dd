package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
)

// TypeForwarded is the outbox type of an event received from another vigil
// server: its payload is the whole envelope, delivered unchanged.
const TypeForwarded = "event.forwarded"

// EventID returns the envelope id of an outbox event: a UUID (version 8,
// RFC 9562) derived from the account and the sequence number, so every
// delivery of the event, to any target and after any restart, carries the
// same id. Account ids are random, so ids of different servers differ.
func EventID(account model.AccountID, seq int64) string {
	h := sha256.Sum256([]byte("vigil-event\x00" + string(account) + "\x00" + strconv.FormatInt(seq, 10)))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:16])
	return string(out[:])
}

// Envelope converts an outbox event to the envelope targets receive (the
// outbox types are event.Outbox*; the payload is the detail). ok is false
// for outbox types that are not published events (resource bookkeeping);
// such events are skipped.
func Envelope(e *model.Event, region string) (env *event.Envelope, ok bool, err error) {
	if e.Type == TypeForwarded {
		env = &event.Envelope{}
		if err := json.Unmarshal(e.Payload, env); err != nil {
			return nil, false, &event.InvalidEventError{Field: "payload", Reason: err.Error()}
		}
		return env, true, env.Check()
	}
	dt, ok := event.DetailTypeOfOutbox(e.Type)
	if !ok {
		return nil, false, nil
	}
	type ref struct {
		ID string `json:"id"`
	}
	var d struct {
		Resources []ref `json:"resources"`
		Resource  *ref  `json:"resource"`
	}
	if err := json.Unmarshal(e.Payload, &d); err != nil {
		return nil, false, &event.InvalidEventError{Field: "detail", Reason: err.Error()}
	}
	if d.Resource != nil {
		d.Resources = append(d.Resources, *d.Resource)
	}
	res := make([]string, 0, len(d.Resources))
	for _, r := range d.Resources {
		res = append(res, r.ID)
	}
	env = &event.Envelope{Version: event.EnvelopeVersion, ID: EventID(e.AccountID, e.Seq), DetailType: dt, Source: event.Source,
		Account: string(e.AccountID), Time: e.CreatedAt.UTC().Truncate(1e9), Region: region, Resources: res, Detail: e.Payload}
	return env, true, env.Check()
}
