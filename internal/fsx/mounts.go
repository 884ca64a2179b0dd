package fsx

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// pseudoFS lists file system types that hold no installed software and
// must not be walked (reading them can block or never end).
var pseudoFS = map[string]bool{
	"proc": true, "sysfs": true, "devtmpfs": true, "devpts": true,
	"cgroup": true, "cgroup2": true, "securityfs": true, "debugfs": true,
	"tracefs": true, "fusectl": true, "configfs": true, "bpf": true,
	"pstore": true, "mqueue": true, "hugetlbfs": true, "autofs": true,
	"binfmt_misc": true, "rpc_pipefs": true, "nsfs": true, "efivarfs": true,
	"selinuxfs": true, "nfsd": true,
}

// maxMountinfo bounds the bytes read from /proc/self/mountinfo.
const maxMountinfo = 4 << 20

// pseudoMounts returns the paths, relative to root as absolute
// slash paths, to leave out of a walk of root.
func pseudoMounts(root string) map[string]bool {
	skip := map[string]bool{}
	if root == "/" {
		for _, p := range []string{"/proc", "/sys", "/dev"} {
			skip[p] = true
		}
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return skip
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxMountinfo))
	sc.Buffer(make([]byte, 0, 4<<10), 64<<10)
	for sc.Scan() {
		mp, fstype, ok := parseMountinfo(sc.Text())
		if !ok || !pseudoFS[fstype] {
			continue
		}
		rel, err := filepath.Rel(root, mp)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			continue
		}
		skip["/"+filepath.ToSlash(rel)] = true
	}
	return skip
}

// parseMountinfo returns the mount point and file system type of one
// /proc/self/mountinfo line.
func parseMountinfo(line string) (mountPoint, fsType string, ok bool) {
	fields := strings.Fields(line)
	sep := -1
	for i, f := range fields {
		if f == "-" {
			sep = i
			break
		}
	}
	if sep < 5 || sep+1 >= len(fields) {
		return "", "", false
	}
	return unescapeMount(fields[4]), fields[sep+1], true
}

// unescapeMount undoes the octal escapes (\040 for a space) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}
