package sqlstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/model"
)

func pending(accts string, size int) []pendingEvent {
	var out []pendingEvent
	for i, a := range accts {
		out = append(out, pendingEvent{e: model.Event{AccountID: model.AccountID(a), Type: "t", Payload: bytes.Repeat([]byte("x"), size), Subject: fmt.Sprint(i)}})
	}
	return out
}

func TestBlocks(t *testing.T) {
	tests := []struct {
		name string
		evs  []pendingEvent
		want []int
	}{
		{"one", pending("a", 10), []int{1}},
		{"runs of accounts", pending("aaabba", 10), []int{3, 5, 6}},
		{"at most blockMaxEvents", pending(strings.Repeat("a", blockMaxEvents+3), 1), []int{blockMaxEvents, blockMaxEvents + 3}},
		// 300 KB each (plus type and subject): three fit in 1 MiB.
		{"at most blockMaxBytes", pending("aaaaaaa", 300_000), []int{3, 6, 7}},
		{"a payload larger than a block alone", pending("aa", blockMaxBytes+1), []int{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, blocks(tc.evs)); d != "" {
				t.Errorf("blocks (-want +got):\n%s", d)
			}
		})
	}
}

func TestBlockRoundTrip(t *testing.T) {
	evs := []pendingEvent{
		{e: model.Event{Type: "finding.created", Subject: "fnd-1", Payload: []byte(`{"title":"CVE-2021-23337 - lodash"}`)}},
		{e: model.Event{Type: "scan.completed", Subject: "", Payload: nil}},
		{e: model.Event{Type: "finding.closed", Subject: "fnd-2", Payload: bytes.Repeat([]byte(`{"a":1}`), 1000)}},
	}
	stored := encodeBlock(evs)
	got, err := decodeBlock(12, len(evs), stored)
	if err != nil {
		t.Fatal(err)
	}
	var want []model.Event
	for i, p := range evs {
		p.e.Seq = int64(10 + i)
		want = append(want, p.e)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	if len(stored) > 1000 {
		t.Errorf("stored %d bytes: not compressed", len(stored))
	}
}

func TestDecodeBlockErrors(t *testing.T) {
	good := encodeBlock(pending("aa", 10))
	raw := func(b []byte) []byte { return s2.Encode(nil, b) }
	tests := []struct {
		name   string
		count  int
		stored []byte
		reason string
	}{
		{"one event", 1, good, "1 events"},
		{"too many", maxBlockEvents + 1, good, "events"},
		{"not S2", 2, []byte{0xff, 0xff, 0xff}, "s2"},
		{"count differs", 3, good, "its row says 3"},
		{"truncated field", 2, raw([]byte{2, 5, 't'}), "a field of 5 bytes"},
		{"truncated count", 2, raw([]byte{0x80}), "truncated"},
		{"trailing bytes", 2, raw(append(binary.AppendUvarint(nil, 2), 0, 0, 0, 0, 0, 0, 9)), "1 bytes after"},
		{"too large", 2, append(binary.AppendUvarint(nil, maxPayload+1), 0), "bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeBlock(7, tc.count, tc.stored)
			var be *BlockError
			if !errors.As(err, &be) || be.Seq != 7 || !strings.Contains(strings.ToLower(be.Reason), tc.reason) {
				t.Errorf("decodeBlock = %v; want a *BlockError at 7 saying %q", err, tc.reason)
			}
		})
	}
}

// FuzzDecodeBlock checks that no stored block makes decoding panic or
// return more than its row declares, and that encoded blocks decode.
func FuzzDecodeBlock(f *testing.F) {
	f.Add(2, encodeBlock(pending("aa", 10)))
	f.Add(3, encodeBlock(pending("abc", 300)))
	f.Add(2, []byte{0})
	f.Fuzz(func(t *testing.T, count int, stored []byte) {
		evs, err := decodeBlock(100, count, stored)
		if err != nil {
			return
		}
		if len(evs) != count || evs[len(evs)-1].Seq != 100 {
			t.Fatalf("decoded %d events ending at %d for a row of %d ending at 100", len(evs), evs[len(evs)-1].Seq, count)
		}
		again := make([]pendingEvent, len(evs))
		for i, e := range evs {
			e.Seq = 0
			again[i] = pendingEvent{e: e}
		}
		round, err := decodeBlock(100, count, encodeBlock(again))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(evs, round); d != "" {
			t.Fatalf("re-encoded block differs:\n%s", d)
		}
	})
}
