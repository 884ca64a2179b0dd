package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// command runs a program with the event's envelope on its standard input.
type command struct {
	argv    []string
	timeout time.Duration
}

// CommandError is a command that failed: a non-zero exit, a signal, or
// the time limit.
type CommandError struct {
	Exit     int
	TimedOut bool
	Stderr   string
	Err      error
}

func (e *CommandError) Error() string {
	var b strings.Builder
	switch {
	case e.TimedOut:
		b.WriteString("killed at its time limit")
	case e.Exit > 0:
		fmt.Fprintf(&b, "exit status %d", e.Exit)
	default:
		b.WriteString(e.Err.Error())
	}
	if e.Stderr != "" {
		b.WriteString(": ")
		b.WriteString(e.Stderr)
	}
	return b.String()
}

func (e *CommandError) Unwrap() error { return e.Err }

// tailBuffer keeps the last n bytes written.
type tailBuffer struct {
	n int
	b []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.n {
		t.b = append(t.b[:0], t.b[len(t.b)-t.n:]...)
	}
	return len(p), nil
}

func (c *command) send(ctx context.Context, it *Item) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.argv[0], c.argv[1:]...)
	cmd.Stdin = bytes.NewReader(append(append([]byte(nil), it.Body...), '\n'))
	stderr := &tailBuffer{n: 1024}
	cmd.Stdout, cmd.Stderr = &tailBuffer{n: 1024}, stderr
	cmd.Env = append(commandEnv(), "VIGIL_EVENT_ID="+it.Env.ID, "VIGIL_EVENT_SEQ="+strconv.FormatInt(it.Seq, 10),
		"VIGIL_DETAIL_TYPE="+string(it.Env.DetailType))
	killGroup(cmd)
	// Pipes held open by grandchildren must not outlive the kill.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err == nil {
		return Result{}
	}
	ce := &CommandError{Err: err, Stderr: strings.TrimSpace(string(stderr.b)), TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ce.Exit = ee.ExitCode()
	}
	return Result{Status: ce.Exit, Err: ce}
}

// passedEnv lists the server's environment variables a command sees; the
// rest (database URLs, tokens) stays with the server.
var passedEnv = []string{"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "LOGNAME"}

func commandEnv() []string {
	var env []string
	for _, k := range passedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}
