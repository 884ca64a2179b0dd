package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/vigilsec/vigil/internal/jsonx"
	"github.com/vigilsec/vigil/internal/model"
)

// MaxInventoryBytes bounds a decoded inventory (decompression bombs in a
// corrupted or hostile database).
const MaxInventoryBytes = 256 << 20

var (
	encOnce sync.Once
	enc     *zstd.Encoder
	dec     *zstd.Decoder
)

func codecs() (*zstd.Encoder, *zstd.Decoder) {
	encOnce.Do(func() {
		// Errors are impossible with these constant options.
		// A 1 MiB window: inventories are a few hundred KiB at most as
		// JSON, and the encoder keeps two windows of history allocated for
		// the life of the process (16 MiB with the default 8 MiB window).
		enc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20))
		dec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxInventoryBytes))
	})
	return enc, dec
}

// EncodeInventory returns the stored form of inv (zstd-compressed JSON)
// and the hex SHA-256 of its JSON with IndexedAt cleared, so that the
// same content indexed twice hashes the same.
func EncodeInventory(inv *model.Inventory) (data []byte, hash string, err error) {
	bp := jsonBuffers.Get().(*[]byte)
	defer jsonBuffers.Put(bp)
	c := *inv
	c.IndexedAt = time.Time{}
	raw, err := c.AppendJSON((*bp)[:0])
	if err != nil {
		return nil, "", fmt.Errorf("encode inventory: %w", err)
	}
	*bp = raw
	sum := sha256.Sum256(raw)
	full, err := withIndexedAt(raw, inv)
	if err != nil {
		return nil, "", fmt.Errorf("encode inventory: %w", err)
	}
	*bp = full
	e, _ := codecs()
	return e.EncodeAll(full, make([]byte, 0, len(full)/4)), hex.EncodeToString(sum[:]), nil
}

// jsonBuffers hold an inventory's JSON while EncodeInventory hashes and
// compresses it.
var jsonBuffers = sync.Pool{New: func() any { return new([]byte) }}

// zeroIndexedAt is how the JSON of an inventory with IndexedAt cleared
// ends: IndexedAt is Inventory's last field.
var zeroIndexedAt = []byte(`"indexedAt":"0001-01-01T00:00:00Z"}`)

// withIndexedAt returns the JSON of inv from raw, the JSON of inv with
// IndexedAt cleared: raw with its last member's value replaced, in place
// — the bytes json.Marshal(inv) gives (TestEncodeInventorySplice),
// without encoding the inventory, the server's largest value, a second
// time.
func withIndexedAt(raw []byte, inv *model.Inventory) ([]byte, error) {
	at, err := json.Marshal(inv.IndexedAt)
	if err != nil || !bytes.HasSuffix(raw, zeroIndexedAt) {
		return json.Marshal(inv) // an IndexedAt that does not encode fails here
	}
	full := append(raw[:len(raw)-len(zeroIndexedAt)], `"indexedAt":`...)
	return append(append(full, at...), '}'), nil
}

// DecodeInventory reverses EncodeInventory.
func DecodeInventory(data []byte) (*model.Inventory, error) {
	return DecodeInventorySized(data, 0)
}

// maxPackagesHint bounds DecodeInventorySized's preallocation.
const maxPackagesHint = 1 << 16

// DecodeInventorySized is DecodeInventory for an inventory of about
// packages packages (the count stored beside it): the package list is
// allocated once at that size rather than grown by doubling, a tenth of
// the bytes a scan allocates. A wrong count costs only the preallocation.
func DecodeInventorySized(data []byte, packages int) (*model.Inventory, error) {
	_, d := codecs()
	raw, err := d.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	var inv model.Inventory
	if n := min(packages, maxPackagesHint); n > 0 {
		inv.Packages = make([]model.Package, 0, n)
	}
	if err := jsonx.Unmarshal(raw, &inv); err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	return &inv, nil
}
