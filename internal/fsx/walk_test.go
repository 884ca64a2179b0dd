package fsx

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
)

func walkTar(t *testing.T, b []byte, opts Options) *Result {
	t.Helper()
	res, err := Walk(context.Background(), NewTar(bytes.NewReader(b), "test"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestTarEntriesWhiteoutsAndContent(t *testing.T) {
	p := newProbe(".lock")
	b := mkTar(t,
		th{name: "app/", typ: tar.TypeDir},
		th{name: "app/a.lock", body: "alpha"},
		th{name: "./app/b.txt", body: "not wanted"},
		th{name: "app/.wh.old.lock"},
		th{name: "opt/.wh..wh..opq"},
		th{name: "etc/os-release", body: "ID=test\n"},
		th{name: "usr/lib/os-release", typ: tar.TypeSymlink, link: "../../etc/os-release"},
		th{name: "app/hard.lock", typ: tar.TypeLink, link: "app/a.lock"},
	)
	res := walkTar(t, b, Options{Extractors: []extract.Extractor{p}, TrackPaths: true,
		OSFile: func(p string) bool { return strings.HasSuffix(p, "os-release") }})
	if diff := cmp.Diff([]string{"/app/a.lock", "/app/b.txt", "/etc/os-release", "/app/hard.lock"}, p.seen); diff != "" {
		t.Errorf("offered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"/app/a.lock": "alpha"}, p.read); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	pk := res.Extractors["test/probe"].Packages
	if len(pk["/app/a.lock"]) != 1 || len(pk["/app/hard.lock"]) != 1 || pk["/app/hard.lock"][0].Path != "/app/hard.lock" {
		t.Errorf("packages = %+v", pk)
	}
	if diff := cmp.Diff([]string{"/app/old.lock"}, res.Whiteouts); diff != "" {
		t.Errorf("whiteouts: %s", diff)
	}
	if diff := cmp.Diff([]string{"/opt"}, res.Opaques); diff != "" {
		t.Errorf("opaques: %s", diff)
	}
	if diff := cmp.Diff(map[string][]byte{"/etc/os-release": []byte("ID=test\n")}, res.OSFiles); diff != "" {
		t.Errorf("os files: %s", diff)
	}
	if diff := cmp.Diff(map[string]string{"/usr/lib/os-release": "/etc/os-release"}, res.Symlinks); diff != "" {
		t.Errorf("symlinks: %s", diff)
	}
	if !res.Paths.Has("/app/b.txt") || !res.Paths.Has("/app") || res.Paths.HasNonDir("/app") || res.Paths.Has("/app/old.lock") {
		t.Errorf("path set wrong")
	}
	if res.Limited || len(res.Issues) != 0 {
		t.Errorf("limited=%v issues=%+v", res.Limited, res.Issues)
	}
}

func TestSpillAndFileSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	p := newProbe(".lock")
	b := mkTar(t, th{name: "big.lock", body: big}, th{name: "small.lock", body: "s"})
	dir := t.TempDir()
	res := walkTar(t, b, Options{Extractors: []extract.Extractor{p}, SpillThreshold: 1, TempDir: dir})
	if res.Stats.Spilled != 1 || p.read["/big.lock"] != big {
		t.Errorf("spilled=%d, big read %d bytes", res.Stats.Spilled, len(p.read["/big.lock"]))
	}
	p = newProbe(".lock")
	res = walkTar(t, b, Options{Extractors: []extract.Extractor{p}, Budget: NewBudget(extract.Limits{MaxFileSize: 1 << 20})})
	is := res.Extractors["test/probe"].Issues
	if len(is) != 1 || is[0].Limit != "max-file-size" || is[0].Path != "/big.lock" || !res.Limited {
		t.Errorf("issues = %+v", is)
	}
	if _, ok := p.read["/small.lock"]; !ok {
		t.Error("walk did not go on after the skipped file")
	}
}

func TestExtractorFailures(t *testing.T) {
	b := mkTar(t, th{name: "a.lock", body: "a"}, th{name: "b.lock", body: "b"})
	p := newProbe(".lock")
	p.panics = true
	res := walkTar(t, b, Options{Extractors: []extract.Extractor{p}})
	is := res.Extractors["test/probe"].Issues
	if len(is) != 2 || !strings.Contains(is[0].Reason, "panicked") {
		t.Errorf("panic issues = %+v", is)
	}
	p = newProbe(".lock")
	p.fail = &extract.LimitError{Limit: "max-depth", Path: "/a.lock", Value: 8}
	res = walkTar(t, b, Options{Extractors: []extract.Extractor{p}})
	is = res.Extractors["test/probe"].Issues
	if len(is) != 2 || is[0].Limit != "max-depth" || !res.Limited {
		t.Errorf("limit issues = %+v", is)
	}
}

func TestMaxFilesAndTotalBytes(t *testing.T) {
	var es []th
	for i := 0; i < 50; i++ {
		es = append(es, th{name: "f" + strings.Repeat("x", i) + ".lock", body: "0123456789"})
	}
	b := mkTar(t, es...)
	res := walkTar(t, b, Options{Extractors: []extract.Extractor{newProbe(".lock")}, Budget: NewBudget(extract.Limits{MaxFiles: 10})})
	if !res.Limited || len(res.Issues) != 1 || res.Issues[0].Limit != "max-files" || res.Stats.Entries != 11 {
		t.Errorf("max-files: entries=%d issues=%+v", res.Stats.Entries, res.Issues)
	}
	res = walkTar(t, b, Options{Extractors: []extract.Extractor{newProbe(".lock")}, Budget: NewBudget(extract.Limits{MaxTotalBytes: 55})})
	if !res.Limited || len(res.Issues) != 1 || res.Issues[0].Limit != "max-total-bytes" || res.Stats.FilesRead != 5 {
		t.Errorf("max-total-bytes: read=%d issues=%+v", res.Stats.FilesRead, res.Issues)
	}
}

func TestDeadlineAndCancel(t *testing.T) {
	b := mkTar(t, th{name: "a.lock", body: "a"})
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	res, err := Walk(ctx, NewTar(bytes.NewReader(b), "t"), Options{Extractors: []extract.Extractor{newProbe(".lock")}})
	if err != nil || !res.Limited || res.Issues[0].Limit != "time" {
		t.Errorf("deadline: err=%v res=%+v", err, res)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := Walk(ctx, NewTar(bytes.NewReader(b), "t"), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: err=%v", err)
	}
}

func TestBrokenTar(t *testing.T) {
	b := mkTar(t, th{name: "a.lock", body: strings.Repeat("a", 2000)})
	res := walkTar(t, b[:1000], Options{Extractors: []extract.Extractor{newProbe(".lock")}})
	if !res.Limited || len(res.Issues) == 0 {
		t.Errorf("truncated tar: %+v", res.Issues)
	}
}
