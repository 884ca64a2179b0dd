package cli

import "runtime/debug"

// vigilVersion is the module version of the running binary, "(devel)" for
// a source build.
func vigilVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
