package agent

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Credential is what enrollment gave the agent, kept in the state
// directory (mode 0600).
type Credential struct {
	Server     string `json:"server"`
	AgentID    string `json:"agentId"`
	ResourceID string `json:"resourceId"`
	Secret     string `json:"credential"`
}

const credFile = "credential.json"

// loadCredential reads the state directory's credential; nil when there
// is none yet.
func loadCredential(dir string) (*Credential, error) {
	data, err := os.ReadFile(filepath.Join(dir, credFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Credential
	if err := json.Unmarshal(data, &c); err != nil || c.Secret == "" {
		return nil, &StateError{Path: filepath.Join(dir, credFile), Why: "not a credential file"}
	}
	return &c, nil
}

// saveCredential writes c atomically with mode 0600 in a 0700 directory.
func saveCredential(dir string, c *Credential) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".credential-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, credFile))
}

// StateError is an unusable state directory file.
type StateError struct{ Path, Why string }

func (e *StateError) Error() string { return e.Path + ": " + e.Why }
