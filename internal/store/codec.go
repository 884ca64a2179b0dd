package store

import (
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
		enc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		dec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxInventoryBytes))
	})
	return enc, dec
}

// EncodeInventory returns the stored form of inv (zstd-compressed JSON)
// and the hex SHA-256 of its JSON with IndexedAt cleared, so that the
// same content indexed twice hashes the same.
func EncodeInventory(inv *model.Inventory) (data []byte, hash string, err error) {
	c := *inv
	c.IndexedAt = time.Time{}
	raw, err := json.Marshal(&c)
	if err != nil {
		return nil, "", fmt.Errorf("encode inventory: %w", err)
	}
	sum := sha256.Sum256(raw)
	full, err := json.Marshal(inv)
	if err != nil {
		return nil, "", fmt.Errorf("encode inventory: %w", err)
	}
	e, _ := codecs()
	return e.EncodeAll(full, make([]byte, 0, len(full)/4)), hex.EncodeToString(sum[:]), nil
}

// DecodeInventory reverses EncodeInventory.
func DecodeInventory(data []byte) (*model.Inventory, error) {
	_, d := codecs()
	raw, err := d.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	var inv model.Inventory
	if err := jsonx.Unmarshal(raw, &inv); err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	return &inv, nil
}
