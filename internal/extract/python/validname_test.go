package python

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidNameMatchesPEP508Regexp checks the hand-written ValidName
// against the PEP 508 regexp it replaces.
func TestValidNameMatchesPEP508Regexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$`)
	cases := []string{"", "a", "-", "a-", "-a", "ab", "a.b", "a_b-c.d", "Jinja2", "a b", "a\\nb", "a\nb", "é", "aé", "aéb",
		"a..b", "_", "a_", "zope.interface", "a/b", "a+b",
		strings.Repeat("a", 201), strings.Repeat("a", 202), strings.Repeat("a", 203), "a" + strings.Repeat("-", 200) + "b", "a" + strings.Repeat("-", 201) + "b"}
	for _, s := range cases {
		if got, want := ValidName(s), re.MatchString(s); got != want {
			t.Errorf("ValidName(%q) = %v, the regexp says %v", s, got, want)
		}
	}
	for c := range 256 {
		for _, s := range []string{string([]byte{byte(c)}), "a" + string([]byte{byte(c)}) + "b", "a" + string([]byte{byte(c)})} {
			if got, want := ValidName(s), re.MatchString(s); got != want {
				t.Errorf("ValidName(%q) = %v, the regexp says %v", s, got, want)
			}
		}
	}
}
