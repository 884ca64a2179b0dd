package aws

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to every command's parser (the file
// name picks the parser): it must return a model or an error, never
// panic.
func FuzzParse(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/*/")
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if _, _, ok := classify(e.Name()); !ok {
				continue
			}
			data, err := os.ReadFile(filepath.Join(d, e.Name()))
			if err == nil {
				f.Add(commandIndex(e.Name()), data)
			}
		}
	}
	f.Add(uint8(0), []byte(`{"Vpcs":[{"VpcId":"v","CidrBlock":"::/0"}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		cmd := commands[int(which)%len(commands)]
		name := cmd + ".json"
		if cmd == cmdTargetHealth || cmd == cmdPrefixList {
			name = cmd + "-x.json"
		}
		files := []File{
			{"describe-target-groups.json", []byte(`{"TargetGroups":[{"TargetGroupArn":"a/x","TargetGroupName":"x","TargetType":"ip"}]}`)},
			{name, data},
		}
		imp, err := Parse(files)
		if err == nil && imp.Model == nil {
			t.Fatal("nil model without error")
		}
	})
}

func commandIndex(name string) uint8 {
	cmd, _, _ := classify(name)
	for i, c := range commands {
		if c == cmd {
			return uint8(i)
		}
	}
	return 0
}

// FuzzParseAnalyze runs fuzzed security groups and ACLs, with the rest
// of scenario 07, through the importer and the analysis, which must never
// panic on what the importer accepts.
func FuzzParseAnalyze(f *testing.F) {
	const dir = "testdata/07-port-range"
	var rest []File
	var sg, nacl []byte
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if _, _, ok := classify(e.Name()); !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		switch e.Name() {
		case "describe-security-groups.json":
			sg = data
		case "describe-network-acls.json":
			nacl = data
		default:
			rest = append(rest, File{e.Name(), data})
		}
	}
	f.Add(sg, nacl)
	f.Fuzz(func(t *testing.T, sg, nacl []byte) {
		files := append([]File{{"describe-security-groups.json", sg}, {"describe-network-acls.json", nacl}}, rest...)
		imp, err := Parse(files)
		if err != nil {
			return
		}
		analyze(t, imp)
	})
}
