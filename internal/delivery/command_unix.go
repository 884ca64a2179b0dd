//go:build unix

package delivery

import (
	"os/exec"
	"syscall"
)

// killGroup runs the command in a process group of its own and makes
// cancellation kill the whole group, so a shell script's children die
// with it.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
