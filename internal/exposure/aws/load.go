package aws

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/exposure"
)

// Command names, as used for file names.
const (
	cmdVpcs             = "describe-vpcs"
	cmdSubnets          = "describe-subnets"
	cmdRouteTables      = "describe-route-tables"
	cmdInternetGateways = "describe-internet-gateways"
	cmdNatGateways      = "describe-nat-gateways"
	cmdNetworkACLs      = "describe-network-acls"
	cmdSecurityGroups   = "describe-security-groups"
	cmdInterfaces       = "describe-network-interfaces"
	cmdInstances        = "describe-instances"
	cmdPeerings         = "describe-vpc-peering-connections"
	cmdLoadBalancers    = "describe-load-balancers"
	cmdListeners        = "describe-listeners"
	cmdTargetGroups     = "describe-target-groups"
	cmdTargetHealth     = "describe-target-health"
	cmdPrefixList       = "get-managed-prefix-list-entries"
)

// commands lists every accepted command; the first six are required.
var commands = []string{
	cmdVpcs, cmdSubnets, cmdRouteTables, cmdSecurityGroups, cmdInterfaces, cmdInstances,
	cmdInternetGateways, cmdNatGateways, cmdNetworkACLs, cmdPeerings,
	cmdLoadBalancers, cmdListeners, cmdTargetGroups, cmdTargetHealth, cmdPrefixList,
}

const requiredCommands = 6

// commandLine is the CLI invocation that prints a file's content.
func commandLine(file string) string {
	cmd := strings.TrimSuffix(file, ".json")
	switch cmd {
	case cmdLoadBalancers, cmdListeners, cmdTargetGroups, cmdTargetHealth:
		return "elbv2 " + cmd
	}
	return "ec2 " + cmd
}

// Limits.
const (
	DefaultMaxFileSize = 64 << 20
	DefaultMaxFiles    = 10000
)

// Options bound what Load reads.
type Options struct {
	// MaxFileSize is the largest file accepted; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// MaxFiles is the most input files accepted; 0 means DefaultMaxFiles.
	MaxFiles int
}

// File is one command output: its file name (which says the command) and
// its content.
type File struct {
	Name string
	Data []byte
}

// Import is a model built from AWS CLI output.
type Import struct {
	Model *exposure.Model
	// Files are the input files used, sorted.
	Files []string
	// Warnings name inputs that were skipped or could not be resolved.
	Warnings []string
}

// classify returns the command a file name holds and the suffix after
// "<command>-" ("" for "<command>.json"); ok is false for other files.
func classify(name string) (cmd, suffix string, ok bool) {
	base, isJSON := strings.CutSuffix(name, ".json")
	if !isJSON {
		return "", "", false
	}
	for _, c := range commands {
		if base == c {
			return c, "", true
		}
		if s, found := strings.CutPrefix(base, c+"-"); found && s != "" {
			return c, s, true
		}
	}
	return "", "", false
}

// Load reads the describe-* outputs in dir (see the package comment for
// the names) and builds the model. It never reads outside dir.
func Load(ctx context.Context, dir string, opt Options) (*Import, error) {
	maxSize, maxFiles := opt.MaxFileSize, opt.MaxFiles
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	if maxFiles <= 0 {
		maxFiles = DefaultMaxFiles
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return nil, err
	}
	var files []File
	var skipped []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, _, ok := classify(e.Name()); !ok || !e.Type().IsRegular() {
			if strings.HasSuffix(e.Name(), ".json") {
				skipped = append(skipped, e.Name()+": not a known command output, ignored")
			}
			continue
		}
		if len(files) == maxFiles {
			return nil, &TooManyFilesError{Dir: dir, Limit: maxFiles}
		}
		data, err := readBounded(root, e.Name(), maxSize)
		if err != nil {
			return nil, &FileError{File: e.Name(), Err: err}
		}
		files = append(files, File{Name: e.Name(), Data: data})
	}
	for _, c := range commands[:requiredCommands] {
		if !slices.ContainsFunc(files, func(f File) bool { cmd, _, _ := classify(f.Name); return cmd == c }) {
			return nil, &MissingFileError{Dir: dir, File: c + ".json"}
		}
	}
	imp, err := Parse(files)
	if err != nil {
		return nil, err
	}
	imp.Warnings = append(skipped, imp.Warnings...)
	return imp, nil
}

func readBounded(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, &TooLargeError{Size: st.Size(), Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// decode unmarshals a file and checks that its top-level key is there.
func decode(f File, key string, v any, present func() bool) error {
	if err := json.Unmarshal(f.Data, v); err != nil {
		return &FileError{File: f.Name, Err: err}
	}
	if !present() {
		return &FileError{File: f.Name, Err: &FormatError{Key: key}}
	}
	return nil
}
