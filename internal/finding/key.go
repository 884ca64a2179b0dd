package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// Key returns the identity of what obs observed on resource res of account
// acct: account, resource, type, check id and target, each part prefixed
// with its length (so no choice of names can make two targets collide).
// Two observations with the same key are the same finding.
func Key(acct model.AccountID, res model.ResourceID, obs *model.Observation) string {
	parts := []string{string(acct), string(res), string(obs.Type), obs.CheckID}
	switch {
	case obs.Package != nil:
		p := &obs.Package.Package
		parts = append(parts, "pkg", string(p.Ecosystem), p.Name, p.Version, p.Path)
	case obs.Network != nil:
		n := obs.Network
		parts = append(parts, "net", n.Protocol, strconv.Itoa(n.Ports.Begin), strconv.Itoa(n.Ports.End), n.From)
	case obs.Code != nil:
		c := obs.Code
		parts = append(parts, "code", c.RuleID, c.FilePath, strconv.Itoa(c.StartLine))
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// ID returns the finding id of a key: "fnd-" and the first 32 hex digits
// of its SHA-256.
func ID(key string) model.FindingID {
	sum := sha256.Sum256([]byte(key))
	return model.FindingID("fnd-" + hex.EncodeToString(sum[:16]))
}
