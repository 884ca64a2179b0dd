package debian

// releaseNumbers maps Debian release codenames to the version numbers OSV
// uses in "Debian:<number>" ecosystems.
var releaseNumbers = map[string]string{
	"woody":    "3.0",
	"sarge":    "3.1",
	"etch":     "4",
	"lenny":    "5",
	"squeeze":  "6",
	"wheezy":   "7",
	"jessie":   "8",
	"stretch":  "9",
	"buster":   "10",
	"bullseye": "11",
	"bookworm": "12",
	"trixie":   "13",
	"forky":    "14",
	"duke":     "15",
}

// ReleaseNumber returns the release number of a Debian codename ("bullseye"
// → "11") and whether the codename is known.
func ReleaseNumber(codename string) (string, bool) {
	n, ok := releaseNumbers[codename]
	return n, ok
}
