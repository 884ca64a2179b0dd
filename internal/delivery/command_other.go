//go:build !unix

package delivery

import "os/exec"

// killGroup leaves the default cancellation (kill the process) where
// process groups do not exist.
func killGroup(cmd *exec.Cmd) {}
