package arena

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestArena(t *testing.T) {
	tests := []struct {
		name   string
		chunk  int
		room   int
		values []string
		chunks int // chunks the arena allocated
	}{
		{name: "small values share a chunk", chunk: 64, room: 8, values: []string{"aaaa", "bb", "cccccc"}, chunks: 1},
		{name: "a full chunk starts another", chunk: 16, room: 8, values: []string{"aaaaaaaa", "bbbbbbbb", "cc"}, chunks: 2},
		{name: "room larger than a chunk gets a chunk of its own", chunk: 4, room: 10, values: []string{"aa", "bbbbbbbbbb", "c"}, chunks: 3},
		{name: "zero value: 64 KiB chunks", room: 100, values: []string{"x", "y", "z"}, chunks: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Arena{Chunk: tt.chunk}
			var kept []string
			chunks := map[*byte]bool{}
			for _, v := range tt.values {
				k := a.Keep(append(a.Room(tt.room), v...))
				if cap(k) != len(k) {
					t.Errorf("value %q has room to grow (cap %d)", k, cap(k))
				}
				chunks[&a.buf[:1][0]] = true
				kept = append(kept, string(k))
			}
			// Every value intact after the later ones were written.
			if diff := cmp.Diff(tt.values, kept); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if len(chunks) != tt.chunks {
				t.Errorf("%d chunks, want %d", len(chunks), tt.chunks)
			}
		})
	}
}

// TestOutgrownValue checks that a value that outgrew its room (append
// reallocated it) is its own, and the arena stays where it was.
func TestOutgrownValue(t *testing.T) {
	a := Arena{Chunk: 8}
	v := a.Keep(append(a.Room(2), "0123456789"...)) // outgrows the 8-byte chunk
	w := a.Keep(append(a.Room(2), "ab"...))
	if string(v) != "0123456789" || string(w) != "ab" {
		t.Errorf("values %q, %q", v, w)
	}
	if len(a.buf) != 2 {
		t.Errorf("arena holds %d bytes, want 2: the outgrown value is not in it", len(a.buf))
	}
}
