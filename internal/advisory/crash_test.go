package advisory

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildVigil builds the real binary for crash tests.
func buildVigil(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "vigil")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/vigil").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// checkIntact opens dir afresh and reads every record of the current
// snapshot, which must be want, and runs `vigil db status` on it.
func checkIntact(t *testing.T, bin, dir, want string, wantRecords int) {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Current(context.Background())
	if err != nil {
		t.Fatalf("Current after kill: %v", err)
	}
	defer s.Close()
	if s.ID() != want {
		t.Errorf("current snapshot %s, want %s", s.ID(), want)
	}
	n := 0
	for r, err := range s.Records(context.Background()) {
		if err != nil {
			t.Fatalf("reading records after kill: %v", err)
		}
		if _, err := s.Record(context.Background(), r.ID); err != nil {
			t.Fatalf("Record(%s): %v", r.ID, err)
		}
		n++
	}
	if n != wantRecords || s.RecordCount() != wantRecords {
		t.Errorf("read %d records (count %d), want %d", n, s.RecordCount(), wantRecords)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "--db-dir", dir, "db", "status")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vigil db status: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("status does not show snapshot %s:\n%s", want, stdout.String())
	}
}

func TestKillDuringUpdate(t *testing.T) {
	bin := buildVigil(t)
	ctx := context.Background()
	for _, point := range []string{"download", "before-swap", "after-swap"} {
		t.Run(point, func(t *testing.T) {
			mirror := mirrorOf(t, "npm", "crates.io")
			b, srv := newBucket(t, mirror)
			dir := filepath.Join(t.TempDir(), "db")
			db, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			first, err := db.Update(ctx, UpdateOptions{Mirror: srv.URL, Ecosystems: []string{"npm", "crates.io"}, NoEnrich: true})
			if err != nil {
				t.Fatal(err)
			}
			oldRecords := first.Records

			// The next version of the mirror: the npm archive loses records.
			entries := readZip(t, filepath.Join(mirror, "npm", "all.zip"))
			writeZip(t, filepath.Join(mirror, "npm", "all.zip"), entries[:len(entries)/2])
			newRecords := oldRecords - (len(entries) - len(entries)/2)

			pauseFile := filepath.Join(t.TempDir(), "paused")
			cmd := exec.Command(bin, "--db-dir", dir, "db", "update", "--mirror", srv.URL, "--no-enrich")
			cmd.Env = append(os.Environ(), "VIGIL_TEST_PAUSE_FILE="+pauseFile)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if point == "download" {
				b.mu.Lock()
				b.stall = "/npm/all.zip"
				b.mu.Unlock()
			} else {
				cmd.Env = append(cmd.Env, "VIGIL_TEST_PAUSE="+point)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.After(90 * time.Second)
		wait:
			for {
				select {
				case <-b.stalled:
					break wait
				case err := <-done:
					t.Fatalf("vigil exited before the kill point: %v\n%s", err, stderr.String())
				case <-deadline:
					cmd.Process.Kill()
					t.Fatalf("vigil did not reach %s\n%s", point, stderr.String())
				case <-time.After(20 * time.Millisecond):
					if _, err := os.Stat(pauseFile); err == nil {
						break wait
					}
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-done
			b.mu.Lock()
			b.stall = ""
			b.mu.Unlock()

			wantID, wantN := first.Snapshot, oldRecords
			if point == "after-swap" {
				cur, err := db.currentID()
				if err != nil || cur == first.Snapshot {
					t.Fatalf("after-swap kill: CURRENT is %q (%v), want the new snapshot", cur, err)
				}
				wantID, wantN = cur, newRecords
			}
			checkIntact(t, bin, dir, wantID, wantN)

			// The next update recovers and cleans up after the killed one.
			res, err := db.Update(ctx, UpdateOptions{Mirror: srv.URL, NoEnrich: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Records != newRecords {
				t.Errorf("after recovery: %d records, want %d", res.Records, newRecords)
			}
			if ents, _ := os.ReadDir(db.tmpPath()); len(ents) != 0 {
				t.Errorf("tmp/ holds %d leftovers after recovery", len(ents))
			}
		})
	}
}
