package java

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const (
	jacksonName = "com.fasterxml.jackson.core:jackson-annotations"
	jacksonPURL = "pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.15.0-rc2"
)

func jackson(path string) model.Package {
	return model.Package{Ecosystem: model.EcosystemMaven, Name: jacksonName, Version: "2.15.0-rc2",
		PURL: jacksonPURL, Manager: model.ManagerJar, Path: path}
}

func TestArchiveRealJar(t *testing.T) {
	// pom.properties of the jar, read with unzip: groupId=com.fasterxml.jackson.core,
	// artifactId=jackson-annotations, version=2.15.0-rc2.
	const p = "/app/lib/jackson-annotations-2.15.0-rc2.jar"
	got, err := NewArchive().Extract(context.Background(), input(t, p, readFile(t, realJar)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]model.Package{jackson(p)}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestArchiveFallbacks(t *testing.T) {
	real := readFile(t, realJar)
	const p = "/opt/jackson-annotations-2.15.0-rc2.jar"
	tests := []struct {
		name string
		data []byte
		path string
		want []model.Package
	}{
		{
			name: "manifest only",
			data: rezip(t, real, isMavenMeta),
			path: p,
			// Implementation-Vendor-Id, Bundle-SymbolicName minus the group,
			// Implementation-Version of the real MANIFEST.MF.
			want: []model.Package{jackson(p)},
		},
		{
			name: "manifest only, unversioned file name",
			data: rezip(t, real, isMavenMeta),
			path: "/opt/annotations.jar",
			want: []model.Package{jackson("/opt/annotations.jar")},
		},
		{
			name: "file name only",
			data: rezip(t, real, func(n string) bool { return isMavenMeta(n) || n == "META-INF/MANIFEST.MF" }),
			path: p,
			want: []model.Package{{Ecosystem: model.EcosystemMaven, Name: "jackson-annotations", Version: "2.15.0-rc2",
				PURL: "pkg:maven/jackson-annotations@2.15.0-rc2", Manager: model.ManagerJar, Path: p}},
		},
		{
			name: "nothing known",
			data: rezip(t, real, func(n string) bool { return isMavenMeta(n) || n == "META-INF/MANIFEST.MF" }),
			path: "/opt/annotations.jar",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewArchive().Extract(context.Background(), input(t, tc.path, tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestArchiveNested builds a jar-in-war-in-ear and a Spring Boot fat jar
// around the real jar.
func TestArchiveNested(t *testing.T) {
	real := readFile(t, realJar)
	const lib = "jackson-annotations-2.15.0-rc2.jar"
	war := buildZip(t,
		entry{name: "WEB-INF/web.xml", data: []byte("<web-app/>")},
		entry{name: "WEB-INF/lib/" + lib, data: real},
	)
	ear := buildZip(t,
		entry{name: "META-INF/application.xml", data: []byte("<application/>")},
		entry{name: "shop.war", data: war},
		entry{name: "lib/" + lib, data: real, stored: true},
	)
	fat := buildZip(t,
		entry{name: "BOOT-INF/classes/application.properties", data: []byte("server.port=8080\n")},
		entry{name: "BOOT-INF/lib/" + lib, data: real, stored: true},
	)
	tests := []struct {
		name, path string
		data       []byte
		want       []model.Package
	}{
		{"ear", "/deploy/shop.ear", ear, []model.Package{
			jackson("/deploy/shop.ear!/shop.war!/WEB-INF/lib/" + lib),
			jackson("/deploy/shop.ear!/lib/" + lib),
		}},
		{"war", "/deploy/shop.war", war, []model.Package{jackson("/deploy/shop.war!/WEB-INF/lib/" + lib)}},
		{"spring boot", "/app/app.jar", fat, []model.Package{jackson("/app/app.jar!/BOOT-INF/lib/" + lib)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewArchive().Extract(context.Background(), input(t, tc.path, tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// nestedJar wraps the real jar in n levels of jars, each level with its
// own pom.properties naming its depth.
func nestedJar(t testing.TB, n int) []byte {
	data := readFile(t, realJar)
	name := "jackson-annotations-2.15.0-rc2.jar"
	for i := n; i >= 1; i-- {
		props := fmt.Sprintf("groupId=test.nest\nartifactId=level-%d\nversion=1.0.%d\n", i-1, i-1)
		data = buildZip(t,
			entry{name: fmt.Sprintf("META-INF/maven/test.nest/level-%d/pom.properties", i-1), data: []byte(props)},
			entry{name: "lib/" + name, data: data},
		)
		name = fmt.Sprintf("level-%d.jar", i-1)
	}
	return data
}

func TestArchiveDepthLimit(t *testing.T) {
	data := nestedJar(t, 50)
	in := input(t, "/deep.jar", data)
	maxDepth := in.Limits.MaxDepth
	got, err := NewArchive().Extract(context.Background(), in)
	var le *extract.LimitError
	if !errors.As(err, &le) || le.Limit != "max-depth" || le.Value != int64(maxDepth) {
		t.Fatalf("err = %v, want max-depth LimitError", err)
	}
	// Depths 0..MaxDepth are read: one package each, the outermost first.
	if len(got) != maxDepth+1 {
		t.Fatalf("got %d packages, want %d", len(got), maxDepth+1)
	}
	wantPath := "/deep.jar"
	for i, p := range got {
		if p.Name != fmt.Sprintf("test.nest:level-%d", i) || p.Path != wantPath {
			t.Errorf("package %d = %s at %s, want level-%d at %s", i, p.Name, p.Path, i, wantPath)
		}
		wantPath += fmt.Sprintf("!/lib/level-%d.jar", i+1)
	}
	if !strings.HasPrefix(le.Path, "/deep.jar!/lib/level-1.jar!/") {
		t.Errorf("limit path %q", le.Path)
	}

	// Within the limit, the real jar at the bottom is found.
	in = input(t, "/deep.jar", nestedJar(t, 3))
	got, err = NewArchive().Extract(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if last := got[len(got)-1]; last.Name != jacksonName ||
		last.Path != "/deep.jar!/lib/level-1.jar!/lib/level-2.jar!/lib/jackson-annotations-2.15.0-rc2.jar" {
		t.Errorf("innermost = %+v", last)
	}
}

func TestArchiveBombs(t *testing.T) {
	zeros := bytes.Repeat([]byte{0}, 16<<20) // deflates about 1000:1
	real := readFile(t, realJar)
	tests := []struct {
		name      string
		data      []byte
		wantLimit string
		wantPkgs  int
	}{
		{"pom.properties over the absolute cap", buildZip(t,
			entry{name: "META-INF/maven/a/b/pom.properties", data: zeros},
		), "max-file-size", 0},
		{"pom.properties over the ratio", buildZip(t,
			entry{name: "META-INF/maven/a/b/pom.properties", data: zeros[:2<<20]},
		), "max-ratio", 0},
		{"nested jar bomb next to a real jar", buildZip(t,
			entry{name: "WEB-INF/lib/bomb.jar", data: zeros},
			entry{name: "WEB-INF/lib/jackson-annotations-2.15.0-rc2.jar", data: real},
		), "max-ratio", 1},
		// archive/zip stops at the declared size: a corrupt entry, skipped.
		{"lying sizes", lyingZip(t, "WEB-INF/lib/liar.jar", zeros), "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewArchive().Extract(context.Background(), input(t, "/x.war", tc.data))
			var le *extract.LimitError
			switch {
			case tc.wantLimit == "" && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tc.wantLimit != "" && (!errors.As(err, &le) || le.Limit != tc.wantLimit):
				t.Fatalf("err = %v, want %s LimitError", err, tc.wantLimit)
			}
			if len(got) != tc.wantPkgs {
				t.Errorf("got %d packages, want %d", len(got), tc.wantPkgs)
			}
		})
	}
}

// lyingZip writes a deflated entry whose header claims a tiny uncompressed
// size.
func lyingZip(t *testing.T, name string, content []byte) []byte {
	var comp bytes.Buffer
	fw, err := flateWriter(&comp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	raw, err := w.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Write(comp.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestArchiveMaxFiles(t *testing.T) {
	in := input(t, "/a.jar", readFile(t, realJar))
	in.Limits.MaxFiles = 5
	_, err := NewArchive().Extract(context.Background(), in)
	var le *extract.LimitError
	if !errors.As(err, &le) || le.Limit != "max-files" {
		t.Fatalf("err = %v, want max-files LimitError", err)
	}
}

func TestArchiveNotZip(t *testing.T) {
	_, err := NewArchive().Extract(context.Background(), input(t, "/a.jar", []byte("not a zip at all")))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ParseError", err)
	}
}

func TestArchiveCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewArchive().Extract(ctx, input(t, "/a.jar", readFile(t, realJar)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestSplitFileName(t *testing.T) {
	tests := []struct{ in, a, v string }{
		{"/x/jackson-annotations-2.15.0-rc2.jar", "jackson-annotations", "2.15.0-rc2"},
		{"/x/guava-31.1-jre.jar", "guava", "31.1-jre"},
		{"/a.war!/WEB-INF/lib/log4j-core-2.14.1.jar", "log4j-core", "2.14.1"},
		{"/x/app.jar", "app", ""},
	}
	for _, tc := range tests {
		a, v := splitFileName(tc.in)
		if a != tc.a || v != tc.v {
			t.Errorf("splitFileName(%q) = %q, %q; want %q, %q", tc.in, a, v, tc.a, tc.v)
		}
	}
}

func FuzzArchive(f *testing.F) {
	real := readFile(f, realJar)
	f.Add(real)
	f.Add(nestedJar(f, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		in := input(t, "/f.jar", b)
		in.Limits.MaxDepth = 3
		_, _ = NewArchive().Extract(context.Background(), in)
	})
}

func BenchmarkArchiveRealJar(b *testing.B) {
	data := readFile(b, realJar)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := NewArchive().Extract(context.Background(), input(b, "/a.jar", data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkArchiveNestedEar(b *testing.B) {
	real := readFile(b, realJar)
	war := buildZip(b, entry{name: "WEB-INF/lib/jackson-annotations-2.15.0-rc2.jar", data: real})
	ear := buildZip(b, entry{name: "shop.war", data: war})
	b.SetBytes(int64(len(ear)))
	for b.Loop() {
		got, err := NewArchive().Extract(context.Background(), input(b, "/a.ear", ear))
		if err != nil || len(got) != 1 {
			b.Fatal(err, len(got))
		}
	}
}
