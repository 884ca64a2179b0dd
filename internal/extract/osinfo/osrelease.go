package osinfo

import (
	"bufio"
	"bytes"
	"strings"
)

// maxLines bounds the lines read from one release file.
const maxLines = 512

// parseKeyValues reads os-release / lsb-release syntax: KEY=VALUE lines,
// values optionally in single or double quotes with backslash escapes in
// double quotes; comments and blank lines skipped. Also accepts
// "KEY = VALUE" (SuSE-release).
func parseKeyValues(data []byte) map[string]string {
	if len(data) > MaxFileSize {
		data = data[:MaxFileSize]
	}
	out := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxFileSize)
	for n := 0; sc.Scan() && n < maxLines; n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " \t") {
			continue
		}
		out[key] = unquote(strings.TrimSpace(value))
	}
	return out
}

// unquote removes shell-style quotes from an os-release value.
func unquote(v string) string {
	if len(v) < 2 {
		return v
	}
	switch q := v[0]; {
	case q == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1]
	case q == '"' && v[len(v)-1] == '"':
		v = v[1 : len(v)-1]
		if !strings.Contains(v, `\`) {
			return v
		}
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' && i+1 < len(v) {
				i++
			}
			b.WriteByte(v[i])
		}
		return b.String()
	}
	return v
}

// firstLine returns the first non-empty line of a release file, trimmed.
func firstLine(data []byte) string {
	if len(data) > MaxFileSize {
		data = data[:MaxFileSize]
	}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
