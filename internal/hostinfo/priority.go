package hostinfo

import (
	"syscall"
)

// ioprio_set(2) constants (linux/ioprio.h).
const (
	ioprioWhoProcess = 1
	ioprioClassIdle  = 3
	ioprioClassShift = 13
)

// LowerPriority makes the calling process (every thread) run at CPU nice
// level nice and in the idle I/O scheduling class, so that the agent
// yields to the host's work.
func LowerPriority(nice int) error {
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, nice); err != nil {
		return err
	}
	_, _, e := syscall.Syscall(syscall.SYS_IOPRIO_SET, ioprioWhoProcess, 0, ioprioClassIdle<<ioprioClassShift)
	if e != 0 {
		return e
	}
	return nil
}
