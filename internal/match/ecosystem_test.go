package match

import (
	"testing"

	"github.com/vigilsec/vigil/internal/model"
)

// TestLookupName checks the name matching looks packages up by, which the
// package index keys its rows by: the source of Debian- and APK-family
// packages that name one, the own name of any other.
func TestLookupName(t *testing.T) {
	for _, tc := range []struct {
		p    model.Package
		want string
	}{
		{model.Package{Ecosystem: "Ubuntu", Name: "libacl1", SourceName: "acl"}, "acl"},
		{model.Package{Ecosystem: "Debian", Name: "bash"}, "bash"},
		{model.Package{Ecosystem: "Alpine", Name: "libcrypto3", SourceName: "openssl"}, "openssl"},
		{model.Package{Ecosystem: "Wolfi", Name: "busybox", SourceName: "busybox"}, "busybox"},
		{model.Package{Ecosystem: "AlmaLinux", Name: "openssl-libs", SourceName: "openssl"}, "openssl-libs"},
		{model.Package{Ecosystem: "npm", Name: "@babel/core", SourceName: "babel"}, "@babel/core"},
		{model.Package{Ecosystem: "", Name: "x", SourceName: "y"}, "x"},
	} {
		if got := LookupName(&tc.p); got != tc.want {
			t.Errorf("LookupName(%s %s, source %q) = %q; want %q", tc.p.Ecosystem, tc.p.Name, tc.p.SourceName, got, tc.want)
		}
	}
}
