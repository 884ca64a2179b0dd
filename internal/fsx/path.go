package fsx

import (
	"path"
	"strings"
)

// CleanName turns an archive entry name into a clean absolute path. It
// reports false when the name climbs out of the root with ".." (zip-slip).
// Backslashes count as separators for that test, so "..\\x" is refused too.
func CleanName(name string) (string, bool) {
	depth := 0
	for _, seg := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch seg {
		case ".":
		case "..":
			depth--
			if depth < 0 {
				return "", false
			}
		default:
			depth++
		}
	}
	return path.Clean("/" + name), true
}

// ResolveLink resolves a symlink target written at linkPath as a clean
// absolute path inside the root. As in a chroot, ".." at the root stays at
// the root, so the result never leaves it.
func ResolveLink(linkPath, target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(target)
	}
	return path.Clean(path.Join(path.Dir(linkPath), target))
}

// Ancestors calls fn for each proper ancestor directory of p, nearest
// first, excluding "/". It stops when fn returns false.
func Ancestors(p string, fn func(dir string) bool) {
	for {
		i := strings.LastIndexByte(p, '/')
		if i <= 0 {
			return
		}
		p = p[:i]
		if !fn(p) {
			return
		}
	}
}

// Within reports whether p is dir or below it.
func Within(p, dir string) bool {
	if dir == "/" {
		return true
	}
	return p == dir || strings.HasPrefix(p, dir+"/")
}
