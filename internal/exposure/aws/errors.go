package aws

import (
	"fmt"
	"strconv"
)

// FileError is a problem with one input file: unreadable, too large, not
// JSON, not the output of the command it is named after, or holding a
// value that cannot be used (an invalid CIDR, a port out of range).
type FileError struct {
	File string
	Err  error
}

// Error implements error.
func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// MissingFileError says a required command's output is not in the
// directory.
type MissingFileError struct {
	Dir  string
	File string
}

// Error implements error.
func (e *MissingFileError) Error() string {
	return fmt.Sprintf("%s: missing %s (the output of `aws %s`)", e.Dir, e.File, commandLine(e.File))
}

// TooLargeError says a file is over the size limit.
type TooLargeError struct {
	Size, Limit int64
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return "file is " + strconv.FormatInt(e.Size, 10) + " bytes, over the limit of " + strconv.FormatInt(e.Limit, 10)
}

// TooManyFilesError says the directory holds more input files than allowed.
type TooManyFilesError struct {
	Dir   string
	Limit int
}

// Error implements error.
func (e *TooManyFilesError) Error() string {
	return e.Dir + ": more than " + strconv.Itoa(e.Limit) + " input files"
}

// ValueError is an unusable value inside a file.
type ValueError struct {
	Item  string // "subnet subnet-0abc"
	Field string // "CidrBlock"
	Value string
	Why   string
}

// Error implements error.
func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: %s %q: %s", e.Item, e.Field, e.Value, e.Why)
}

// FormatError says a file is not the output its name announces.
type FormatError struct {
	Key string // the top-level key that should be there
}

// Error implements error.
func (e *FormatError) Error() string {
	return "no top-level \"" + e.Key + "\" key: not the output of the command this file is named after"
}

func itoa(i int) string { return strconv.Itoa(i) }
