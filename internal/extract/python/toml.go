package python

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// maxTOMLDepth bounds the nesting of arrays and inline tables in a TOML
// lockfile. Lockfiles nest three levels deep; the TOML decoder slows down
// badly on deeply nested input, so deeper files are refused before
// decoding.
const maxTOMLDepth = 32

// decodeTOML checks the nesting of b and decodes it into v.
func decodeTOML(b []byte, v any) error {
	if d := tomlDepth(b); d > maxTOMLDepth {
		return fmt.Errorf("TOML nested %d levels deep or more, limit %d", d, maxTOMLDepth)
	}
	_, err := toml.Decode(string(b), v)
	return err
}

// tomlDepth returns the deepest nesting of "[" and "{" outside strings and
// comments, counting up to maxTOMLDepth+1. Table headers ("[a]", "[[a]]")
// count too but never nest.
func tomlDepth(b []byte) int {
	depth, deepest := 0, 0
	var quote byte // '"' or '\'' while inside a string
	comment := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case comment:
			if c == '\n' {
				comment = false
			}
		case quote == '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = 0
			}
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			comment = true
		case c == '[' || c == '{':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > maxTOMLDepth {
					return deepest
				}
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return deepest
}
