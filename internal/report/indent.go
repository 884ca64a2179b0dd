package report

import (
	"bufio"
	"encoding/json"
	"io"
)

// encodeIndented writes v as JSON indented by two spaces, with HTML
// characters unescaped and a final newline: the bytes of a json.Encoder
// with SetIndent("", "  ") and SetEscapeHTML(false). The encoder writes
// compact JSON and the indentation is added while streaming it out, so the
// document is not held twice more in memory (encoding/json's indenting
// buffer grows by copying, which for a one-shot CLI run is mostly fresh
// pages to fault in).
func encodeIndented(w io.Writer, v any) error {
	iw := &indentWriter{w: bufio.NewWriterSize(w, 16<<10)}
	enc := json.NewEncoder(iw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return iw.w.Flush()
}

// indentWriter indents the compact JSON written to it (as encoding/json's
// Indent does: "{}" and "[]" stay as they are, ": " after keys).
type indentWriter struct {
	w          *bufio.Writer
	depth      int
	inString   bool
	escaped    bool
	needIndent bool
}

// Write implements io.Writer.
func (iw *indentWriter) Write(p []byte) (int, error) {
	w := iw.w
	for _, c := range p {
		if iw.inString {
			w.WriteByte(c)
			switch {
			case iw.escaped:
				iw.escaped = false
			case c == '\\':
				iw.escaped = true
			case c == '"':
				iw.inString = false
			}
			continue
		}
		if iw.needIndent && c != '}' && c != ']' {
			iw.needIndent = false
			iw.depth++
			iw.newline()
		}
		switch c {
		case '"':
			iw.inString = true
			w.WriteByte(c)
		case '{', '[':
			iw.needIndent = true // "{}" and "[]" stay on one line
			w.WriteByte(c)
		case ',':
			w.WriteByte(c)
			iw.newline()
		case ':':
			w.WriteString(": ")
		case '}', ']':
			if iw.needIndent {
				iw.needIndent = false
			} else {
				iw.depth--
				iw.newline()
			}
			w.WriteByte(c)
		default:
			w.WriteByte(c)
		}
	}
	if _, err := w.Write(nil); err != nil { // the first write error, if any
		return 0, err
	}
	return len(p), nil
}

// newline starts a line indented to the current depth.
func (iw *indentWriter) newline() {
	iw.w.WriteByte('\n')
	for range iw.depth {
		iw.w.WriteString("  ")
	}
}
