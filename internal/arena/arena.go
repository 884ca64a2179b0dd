// Package arena hands out byte slices carved one after another from
// shared chunks, for the many small values a write encodes and keeps
// until its statement runs (finding contents, event payloads, package
// index rows): one allocation per chunk instead of one per value, and no
// value sized for its worst case.
package arena

// Arena carves values from chunks of at least Chunk bytes. Its zero
// value uses 64 KiB chunks. A value stays valid as long as it is
// referenced; the arena never writes over a value it handed out.
type Arena struct {
	// Chunk is the size of a new chunk (64 KiB when 0).
	Chunk int
	buf   []byte // the current chunk: handed out up to len
	free  int    // the capacity of the room Room last returned
}

// Room returns an empty slice with room for at least n bytes, at the end
// of the current chunk or at the start of a new one. Write the value
// into it (append, or an encoder that fills a destination) and pass the
// result to Keep before calling Room again.
func (a *Arena) Room(n int) []byte {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(a.chunk(), n))
	}
	room := a.buf[len(a.buf):]
	a.free = cap(room)
	return room
}

// Keep returns v, written into the slice Room returned, with no room to
// grow; if it stayed within that room, the arena moves past it (a value
// that outgrew the room was reallocated by append and is its own).
func (a *Arena) Keep(v []byte) []byte {
	if len(v) <= a.free {
		a.buf = a.buf[:len(a.buf)+len(v)]
	}
	a.free = 0
	return v[:len(v):len(v)]
}

func (a *Arena) chunk() int {
	if a.Chunk > 0 {
		return a.Chunk
	}
	return 64 << 10
}
