package fsx

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCleanName(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"etc/os-release", "/etc/os-release", true},
		{"./etc//os-release", "/etc/os-release", true},
		{"/abs/file", "/abs/file", true},
		{"a/../b", "/b", true},
		{"a/b/../../c", "/c", true},
		{"../x", "", false},
		{"../../x", "", false},
		{"a/../../x", "", false},
		{"..\\..\\x", "", false},
		{"./..", "", false},
		{"", "/", true},
		{".wh..wh..opq", "/.wh..wh..opq", true},
	}
	for _, tt := range tests {
		got, ok := CleanName(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CleanName(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestResolveLink(t *testing.T) {
	tests := []struct{ link, target, want string }{
		{"/etc/os-release", "../usr/lib/os-release", "/usr/lib/os-release"},
		{"/etc/os-release", "/usr/lib/os-release", "/usr/lib/os-release"},
		{"/etc/os-release", "../../../../../etc/passwd", "/etc/passwd"},
		{"/a/b", "c", "/a/c"},
		{"/a", "..", "/"},
	}
	for _, tt := range tests {
		if got := ResolveLink(tt.link, tt.target); got != tt.want {
			t.Errorf("ResolveLink(%q, %q) = %q, want %q", tt.link, tt.target, got, tt.want)
		}
	}
}

func TestAncestorsWithin(t *testing.T) {
	var got []string
	Ancestors("/a/b/c/d", func(d string) bool { got = append(got, d); return true })
	if diff := cmp.Diff([]string{"/a/b/c", "/a/b", "/a"}, got); diff != "" {
		t.Error(diff)
	}
	for _, tt := range []struct {
		p, dir string
		want   bool
	}{{"/a/b", "/a", true}, {"/a", "/a", true}, {"/ab", "/a", false}, {"/x", "/", true}} {
		if got := Within(tt.p, tt.dir); got != tt.want {
			t.Errorf("Within(%q, %q) = %v", tt.p, tt.dir, got)
		}
	}
}

func TestParseMountinfo(t *testing.T) {
	tests := []struct {
		line, mp, fs string
		ok           bool
	}{
		{"22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw", "/proc", "proc", true},
		{"30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "/sys/fs/cgroup", "cgroup2", true},
		{`40 1 8:1 / /mnt/with\040space rw - ext4 /dev/sda1 rw`, "/mnt/with space", "ext4", true},
		{"garbage", "", "", false},
	}
	for _, tt := range tests {
		mp, fs, ok := parseMountinfo(tt.line)
		if mp != tt.mp || fs != tt.fs || ok != tt.ok {
			t.Errorf("parseMountinfo(%q) = %q %q %v", tt.line, mp, fs, ok)
		}
	}
}
