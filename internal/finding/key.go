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

// ID returns the id of the finding obs observed on resource res of
// account acct: "fnd-", 8 hex digits of the SHA-256 of its type and check
// id, then the first 24 of the SHA-256 of its Key. The same problem on the
// same thing always has the same id; findings of one vulnerability share
// the prefix, so that the findings an advisory update creates on many
// resources are written next to each other in every index ordered by id
// (the primary key and the tie-breaker of each sort order) instead of at
// as many random places.
func ID(acct model.AccountID, res model.ResourceID, obs *model.Observation) model.FindingID {
	group := sha256.Sum256([]byte(string(obs.Type) + "\x00" + obs.CheckID))
	sum := sha256.Sum256([]byte(Key(acct, res, obs)))
	return model.FindingID("fnd-" + hex.EncodeToString(group[:4]) + hex.EncodeToString(sum[:12]))
}
