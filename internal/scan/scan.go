package scan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/index"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
	"github.com/vigilsec/vigil/internal/source/sbom"
)

// Request names one target to scan.
type Request struct {
	// Kind is image, fs, function or sbom.
	Kind model.TargetKind
	// Target is what the user typed: an image reference (or
	// oci-layout:DIR, docker-archive:FILE), a directory, a zip, an SBOM.
	Target string
	// Layers are extra layer zips of a function package.
	Layers []string
}

// Options configure the index stage.
type Options struct {
	Index index.Options
	Image source.ImageOptions
}

// UnknownKindError is returned for a kind Inventory does not know.
type UnknownKindError struct{ Kind string }

func (e *UnknownKindError) Error() string {
	return fmt.Sprintf("unknown target kind %q (want image, fs, function or sbom)", e.Kind)
}

// Inventory opens and indexes one target.
func Inventory(ctx context.Context, req Request, opts Options) (*model.Inventory, error) {
	switch req.Kind {
	case model.TargetSBOM:
		return sbom.ReadFile(req.Target)
	case model.TargetFS:
		d, err := source.OpenDir(req.Target, model.TargetFS)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return index.IndexDir(ctx, d, opts.Index)
	case model.TargetFunction:
		f, err := source.OpenFunction(req.Target, req.Layers...)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return index.IndexFunction(ctx, f, opts.Index)
	case model.TargetImage:
		img, err := source.OpenImage(ctx, req.Target, opts.Image)
		if err != nil {
			return nil, err
		}
		defer img.Close()
		return index.IndexImage(ctx, img, opts.Index)
	}
	return nil, &UnknownKindError{Kind: string(req.Kind)}
}

// Engine matches inventories against one loaded advisory index.
type Engine struct {
	Index   *match.Index
	Options match.Options
}

// Match matches an inventory. Packages that could only be partly evaluated
// (an unparsable installed version) are reported as issues on the
// inventory, which is then marked partial; they never hide the rest.
func (e *Engine) Match(ctx context.Context, inv *model.Inventory) ([]model.Match, error) {
	ms, err := e.Index.Match(ctx, inv, e.Options)
	var pe *match.PartialError
	if errors.As(err, &pe) {
		inv.Partial = true
		inv.Issues = append(inv.Issues, model.Issue{Plugin: "match", Reason: oneLine(pe.Error())})
		return ms, nil
	}
	return ms, err
}

// Ecosystems lists the OSV ecosystems an inventory needs advisories for
// (base names: "Debian", "npm"), for downloading only what is needed.
func Ecosystems(inv *model.Inventory) []string {
	seen := map[string]bool{}
	var out []string
	add := func(e string) {
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	if inv.OS != nil {
		add(string(inv.OS.Ecosystem))
	}
	for _, p := range inv.Packages {
		add(string(p.Ecosystem))
	}
	return out
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 500 {
		s = s[:499] + "…"
	}
	return s
}
