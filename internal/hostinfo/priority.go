package hostinfo

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// ioprio_set(2) constants (linux/ioprio.h).
const (
	ioprioWhoProcess = 1
	ioprioClassIdle  = 3
	ioprioClassShift = 13
)

// LowerPriority makes the calling process run at CPU nice level nice and
// in the idle I/O scheduling class. On Linux both are per thread, so every
// thread of the process is changed (threads created later inherit the
// creating thread's settings).
func LowerPriority(nice int) error {
	tids := []int{0}
	if ents, err := os.ReadDir("/proc/self/task"); err == nil {
		tids = tids[:0]
		for _, e := range ents {
			if tid, err := strconv.Atoi(e.Name()); err == nil {
				tids = append(tids, tid)
			}
		}
	}
	var errs []error
	for _, tid := range tids {
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, err)
		}
		_, _, e := syscall.Syscall(syscall.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioClassIdle<<ioprioClassShift)
		if e != 0 && e != syscall.ESRCH {
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}
