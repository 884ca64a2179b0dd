package api

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHeavySlot checks the bound on CPU-heavy request work: with one slot,
// a second request waits until the first frees it, and gives up when its
// context ends.
func TestHeavySlot(t *testing.T) {
	s := New(Config{HeavyConcurrency: 1})
	ctx := context.Background()
	release, err := s.heavySlot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.heavySlot(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second slot while the first is held: %v, want the context's deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := s.heavySlot(ctx)
		if err == nil {
			r()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second slot taken while the first is held (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second slot not taken after the first was freed")
	}
	if d := New(Config{}); cap(d.heavy) < 1 {
		t.Errorf("default HeavyConcurrency gives %d slots", cap(d.heavy))
	}
}
