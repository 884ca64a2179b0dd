package rpm

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// Name is the extractor's name.
const Name = "os/rpm"

// MaxPackages bounds the packages read from one database.
const MaxPackages = 200_000

// ErrTooManyPackages is returned for databases with more than MaxPackages
// packages.
var ErrTooManyPackages = errors.New("too many packages")

// ErrUnknownFormat reports an rpm database in none of the three formats.
var ErrUnknownFormat = errors.New("unknown rpm database format")

var dbPaths = map[string]bool{
	"/var/lib/rpm/Packages":              true,
	"/var/lib/rpm/Packages.db":           true,
	"/var/lib/rpm/rpmdb.sqlite":          true,
	"/usr/lib/sysimage/rpm/Packages":     true,
	"/usr/lib/sysimage/rpm/Packages.db":  true,
	"/usr/lib/sysimage/rpm/rpmdb.sqlite": true,
}

// Extractor reads rpm databases.
type Extractor struct{}

// New returns the rpm extractor.
func New() extract.Extractor { return Extractor{} }

// Name implements extract.Extractor.
func (Extractor) Name() string { return Name }

// Version implements extract.Extractor.
func (Extractor) Version() int { return 1 }

// Required implements extract.Extractor.
func (Extractor) Required(f extract.FileInfo) bool { return dbPaths[f.Path] }

// Extract implements extract.Extractor.
func (Extractor) Extract(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	pkgs, err := extractDB(ctx, in)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, &extract.ParseError{Extractor: Name, Path: in.Path, Err: err}
	}
	return pkgs, nil
}

func extractDB(ctx context.Context, in *extract.Input) ([]model.Package, error) {
	var out []model.Package
	add := func(blob []byte) error {
		h, err := parseHeader(blob)
		if err != nil {
			return err
		}
		if h.name == "" || h.version == "" || h.name == "gpg-pubkey" {
			return nil
		}
		if len(out) >= MaxPackages {
			return ErrTooManyPackages
		}
		out = append(out, toPackage(h))
		return nil
	}
	if err := readDB(ctx, in, add); err != nil {
		return nil, err
	}
	return out, nil
}

// toPackage turns a header into a package (without OS qualification).
func toPackage(h header) model.Package {
	epoch := ""
	if h.hasEpoch && h.epoch > 0 {
		epoch = strconv.FormatInt(h.epoch, 10) + ":"
	}
	p := model.Package{
		Ecosystem: model.EcosystemRedHat,
		Name:      h.name,
		Version:   epoch + joinVR(h.version, h.release),
		Arch:      h.arch,
		Manager:   model.ManagerOS,
		Extractor: Name,
	}
	if h.license != "" {
		p.Licenses = []string{h.license}
	}
	if name, vr, ok := splitSourceRPM(h.sourceRPM); ok {
		p.SourceName, p.SourceVersion = name, epoch+vr
	}
	p.PURL = purl(&p, h, "", "")
	return p
}

func joinVR(v, r string) string {
	if r == "" {
		return v
	}
	return v + "-" + r
}

// splitSourceRPM splits "glibc-2.35-4.cm2.src.rpm" into "glibc" and
// "2.35-4.cm2".
func splitSourceRPM(s string) (name, vr string, ok bool) {
	base, found := strings.CutSuffix(s, ".src.rpm")
	if !found {
		if base, found = strings.CutSuffix(s, ".nosrc.rpm"); !found {
			return "", "", false
		}
	}
	i := strings.LastIndexByte(base, '-')
	if i <= 0 {
		return "", "", false
	}
	j := strings.LastIndexByte(base[:i], '-')
	if j <= 0 {
		return "", "", false
	}
	return base[:j], base[j+1:], true
}
