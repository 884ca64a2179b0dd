package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
)

func testMigrations(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	b := nb(t)
	var first int
	for i := range 3 { // applying twice changes nothing
		s, err := b.Open(ctx, store.Options{Logger: quiet})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = v
		}
		if v < 1 || v != first {
			t.Errorf("open %d: schema version %d, first %d", i, v, first)
		}
		_ = s.Close()
	}
	if err := b.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	s, err := b.Open(ctx, store.Options{Logger: quiet})
	var tooNew *store.SchemaTooNewError
	if !errors.As(err, &tooNew) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("open with a newer schema: got %v, want *SchemaTooNewError", err)
	}
	if tooNew.Database != 9999 || tooNew.Known != first {
		t.Errorf("SchemaTooNewError = %+v", tooNew)
	}
}
