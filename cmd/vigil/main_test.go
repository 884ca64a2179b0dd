package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sink keeps the test's allocation live across collections.
var sink [][]byte

func TestWatchHeap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.prof")
	stop := watchHeap("8:"+path, time.Millisecond)
	defer stop()
	for range 16 {
		sink = append(sink, make([]byte, 1<<20))
	}
	defer func() { sink = nil }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no heap profile written with 16 MiB live and a watch at 8 MiB")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWatchHeapUnder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.prof")
	stop := watchHeap("100000:"+path, time.Millisecond)
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	stop()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a profile was written under the threshold (stat: %v)", err)
	}
}

func TestParseHeapWatch(t *testing.T) {
	tests := []struct {
		spec  string
		limit uint64
		path  string
		bad   bool
	}{
		{spec: "200:/tmp/heap.prof", limit: 200 << 20, path: "/tmp/heap.prof"},
		{spec: "1:a:b", limit: 1 << 20, path: "a:b"},
		{spec: "x:/tmp/a", bad: true},
		{spec: "200", bad: true},
		{spec: "0:/tmp/a", bad: true},
		{spec: "-5:/tmp/a", bad: true},
		{spec: "200:", bad: true},
	}
	for _, tt := range tests {
		limit, path, err := parseHeapWatch(tt.spec)
		if (err != nil) != tt.bad {
			t.Errorf("parseHeapWatch(%q) error %v, want error %v", tt.spec, err, tt.bad)
			continue
		}
		if diff := cmp.Diff([]any{tt.limit, tt.path}, []any{limit, path}); diff != "" {
			t.Errorf("parseHeapWatch(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}
