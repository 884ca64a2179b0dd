package fsx

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// DefaultSpillThreshold is the file size above which content is spilled to
// a temporary file instead of memory.
const DefaultSpillThreshold = 4 << 20

// MaxOSFileSize bounds an OS identification file kept by a walk.
const MaxOSFileSize = 256 << 10

// Options configure one walk.
type Options struct {
	// Extractors are offered every regular file.
	Extractors []extract.Extractor
	// OSFile reports whether a path identifies the OS (osinfo.Required);
	// the content of such files, and the targets of such symlinks, are
	// kept in the Result. Nil keeps none.
	OSFile func(path string) bool
	// Budget is shared by all walks of one scan; nil means a fresh budget
	// with the default limits.
	Budget *Budget
	// TempDir receives spilled content and is handed to extractors. Empty
	// means a directory made (and removed) by the walk.
	TempDir string
	// SpillThreshold overrides DefaultSpillThreshold when positive.
	SpillThreshold int64
	// TrackPaths records every path of the tree in Result.Paths (needed
	// to squash image layers).
	TrackPaths bool
	// Label names the tree in issues (a layer's diff id).
	Label string
	// Owners read the OS package databases' lists of installed files
	// into Result.Owned; none when empty.
	Owners []Owner
}

// ExtractorResult is what one extractor found in one walk.
type ExtractorResult struct {
	// Packages by the path of the file offered to the extractor.
	Packages map[string][]model.Package
	// Issues are the extractor's failures (parse errors, limits).
	Issues []model.Issue
}

// Stats count the work of a walk.
type Stats struct {
	Entries   int64 // entries visited
	Files     int64 // regular files offered to extractors
	FilesRead int64 // regular files read
	BytesRead int64 // bytes read from those files
	Spilled   int64 // files spilled to disk
}

// Result is the outcome of one walk.
type Result struct {
	// Extractors holds one result per extractor of Options, by name.
	Extractors map[string]*ExtractorResult
	// Whiteouts and Opaques are the deletions a layer makes, in order.
	Whiteouts []string
	Opaques   []string
	// Paths is set when Options.TrackPaths is.
	Paths *PathSet
	// OSFiles holds the content of OS identification files; Symlinks the
	// targets of those that are symlinks the source could not resolve.
	OSFiles  map[string][]byte
	Symlinks map[string]string
	// Owned holds the paths OS packages own, as Options.Owners read them;
	// nil without Owners.
	Owned *OwnedSet
	// Issues met by the walk itself (unreadable entries, limits, a broken
	// stream). Extractor failures are in Extractors.
	Issues []model.Issue
	Stats  Stats
	// Limited is true when a limit or an error left the result
	// incomplete; such a result must not be cached.
	Limited bool
}

// AllIssues returns the walk's issues followed by every extractor's, in
// extractor order of opts.
func (r *Result) AllIssues(exs []extract.Extractor) []model.Issue {
	out := append([]model.Issue(nil), r.Issues...)
	for _, ex := range exs {
		if er := r.Extractors[ex.Name()]; er != nil {
			out = append(out, er.Issues...)
		}
	}
	return out
}

// errStop ends a walk once a limit has been recorded.
var errStop = errors.New("fsx: walk stopped")

// PanicError reports an extractor that panicked; the walk goes on.
type PanicError struct {
	Extractor string
	Value     any
}

// Error implements error.
func (e *PanicError) Error() string {
	return fmt.Sprintf("extractor %s panicked: %v", e.Extractor, e.Value)
}

// Walk makes one pass over src with the extractors of opts. It returns an
// error only when ctx is cancelled; limits, a deadline and broken input
// end in a Result with issues and Limited set.
func Walk(ctx context.Context, src Source, opts Options) (*Result, error) {
	if opts.Budget == nil {
		opts.Budget = NewBudget(extract.Limits{})
	}
	if opts.SpillThreshold <= 0 {
		opts.SpillThreshold = DefaultSpillThreshold
	}
	opts.SpillThreshold = max(opts.SpillThreshold, MaxOSFileSize)
	if opts.TempDir == "" {
		dir, err := os.MkdirTemp("", "vigil-fsx-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		opts.TempDir = dir
	}
	w := &walker{
		ctx:    ctx,
		opts:   opts,
		limits: opts.Budget.Limits(),
		res: &Result{
			Extractors: make(map[string]*ExtractorResult, len(opts.Extractors)),
			OSFiles:    map[string][]byte{},
			Symlinks:   map[string]string{},
		},
		files:      map[uint64]fileRec{},
		offered:    map[uint64]string{},
		linkOrigin: map[uint64]string{},
	}
	for _, ex := range opts.Extractors {
		w.res.Extractors[ex.Name()] = &ExtractorResult{Packages: map[string][]model.Package{}}
	}
	if opts.TrackPaths {
		w.res.Paths = NewPathSet()
	}
	if len(opts.Owners) > 0 {
		w.res.Owned = NewOwnedSet()
	}
	// Hard links exist only in archives; a directory walk does without
	// the per-file records they need.
	_, isDir := src.(*Dir)
	w.trackFiles = !isDir
	err := src.Walk(ctx, w)
	var le *extract.LimitError
	switch {
	case err == nil, errors.Is(err, errStop):
	case errors.Is(err, context.Canceled):
		return nil, err
	case errors.Is(err, context.DeadlineExceeded):
		w.limit("fsx", "", "time", "time limit reached; the rest of the tree was not read")
	case errors.As(err, &le):
		w.limit("fsx", le.Path, le.Limit, le.Error())
	default:
		w.res.Limited = true
		w.res.Issues = append(w.res.Issues, model.Issue{Plugin: "fsx", Path: opts.Label, Reason: "cannot read the rest of the tree: " + err.Error()})
	}
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, err
	}
	w.res.Owned.Seal()
	return w.res, nil
}

// fileRec remembers a regular file of the tree, for hard links: its size
// in the low 52 bits, its permission bits above (8 bytes per file).
type fileRec uint64

func newFileRec(size int64, mode fs.FileMode) fileRec {
	return fileRec(uint64(min(max(size, 0), 1<<52-1)) | uint64(mode.Perm())<<52)
}

func (r fileRec) size() int64 { return int64(uint64(r) & (1<<52 - 1)) }

func (r fileRec) mode() fs.FileMode { return fs.FileMode(uint64(r) >> 52) }

type walker struct {
	ctx    context.Context
	opts   Options
	limits *extract.Limits
	res    *Result
	files  map[uint64]fileRec // regular files seen, for hard links
	// trackFiles fills files (archives only).
	trackFiles bool
	// offered maps a file's hash to its path once it has been read for
	// extractors.
	offered map[uint64]string
	// linkOrigin maps a hard link to the regular file it names.
	linkOrigin map[uint64]string
	wanted     []extract.Extractor
	owners     []Owner
}

// Issue implements Visitor.
func (w *walker) Issue(is model.Issue) {
	w.res.Limited = true
	w.res.Issues = append(w.res.Issues, is)
}

func (w *walker) limit(plugin, path, limit, reason string) {
	w.res.Limited = true
	w.res.Issues = append(w.res.Issues, model.Issue{Plugin: plugin, Path: path, Reason: reason, Limit: limit})
}

// Visit implements Visitor.
func (w *walker) Visit(e *Entry, open Opener) error {
	w.res.Stats.Entries++
	if err := w.opts.Budget.AddFile(e.Path); err != nil {
		var le *extract.LimitError
		errors.As(err, &le)
		w.limit("fsx", e.Path, le.Limit, fmt.Sprintf("more than %d entries; the rest of the tree was not read", le.Value))
		return errStop
	}
	if w.res.Paths != nil {
		switch e.Kind {
		case KindWhiteout, KindOpaque:
		default:
			w.res.Paths.Add(e.Path, e.Kind == KindDir)
		}
	}
	switch e.Kind {
	case KindWhiteout:
		w.res.Whiteouts = append(w.res.Whiteouts, e.Path)
	case KindOpaque:
		w.res.Opaques = append(w.res.Opaques, e.Path)
	case KindSymlink:
		return w.symlink(e, open)
	case KindHardlink:
		return w.hardlink(e)
	case KindFile:
		return w.file(e, open)
	}
	return nil
}

func (w *walker) symlink(e *Entry, open Opener) error {
	if w.opts.OSFile == nil || !w.opts.OSFile(e.Path) {
		return nil
	}
	if open == nil {
		w.res.Symlinks[e.Path] = e.Link
		return nil
	}
	rc, err := open()
	if err != nil {
		slog.Debug("fsx: OS file link not followed", "path", e.Path, "err", err)
		return nil
	}
	defer rc.Close()
	c, err := readContent(paced(w.ctx, rc, w.opts.Budget.rate), -1, MaxOSFileSize, "")
	if err == nil && c.mem != nil {
		w.res.OSFiles[e.Path] = c.mem
	}
	return nil
}

func (w *walker) hardlink(e *Entry) error {
	rec, ok := w.files[HashPath(e.Link)]
	if !ok {
		slog.Debug("fsx: hard link to a path not in the tree", "path", e.Path, "link", e.Link)
		return nil
	}
	w.files[HashPath(e.Path)] = rec
	origin := e.Link
	if o, ok := w.linkOrigin[HashPath(e.Link)]; ok {
		origin = o
	}
	w.linkOrigin[HashPath(e.Path)] = origin
	fi := extract.FileInfo{Path: e.Path, Mode: rec.mode(), Size: rec.size()}
	if w.opts.OSFile != nil && w.opts.OSFile(e.Path) {
		if b, ok := w.res.OSFiles[origin]; ok {
			w.res.OSFiles[e.Path] = b
		}
	}
	w.res.Stats.Files++
	target, read := w.offered[HashPath(origin)]
	for _, ex := range w.opts.Extractors {
		if !ex.Required(fi) {
			continue
		}
		er := w.res.Extractors[ex.Name()]
		if !read {
			er.Issues = append(er.Issues, model.Issue{Plugin: ex.Name(), Path: e.Path,
				Reason: "hard link to " + e.Link + ", whose content was not kept; skipped"})
			w.res.Limited = true
			continue
		}
		for _, p := range er.Packages[target] {
			if p.Path == target || strings.HasPrefix(p.Path, target+"!") {
				p.Path = e.Path + p.Path[len(target):]
			}
			er.Packages[e.Path] = append(er.Packages[e.Path], p)
		}
	}
	return nil
}

func (w *walker) file(e *Entry, open Opener) error {
	w.res.Stats.Files++
	if w.trackFiles {
		w.files[HashPath(e.Path)] = newFileRec(e.Size, e.Mode)
	}
	fi := extract.FileInfo{Path: e.Path, Mode: e.Mode, Size: e.Size}
	w.wanted = w.wanted[:0]
	for _, ex := range w.opts.Extractors {
		if ex.Required(fi) {
			w.wanted = append(w.wanted, ex)
		}
	}
	w.owners = w.owners[:0]
	for _, o := range w.opts.Owners {
		if o.Required(e.Path) {
			w.owners = append(w.owners, o)
		}
	}
	osWanted := w.opts.OSFile != nil && w.opts.OSFile(e.Path)
	if osWanted && e.Size > MaxOSFileSize {
		// Too large to be a release file: only its existence is kept
		// (a dpkg status database says "dpkg is here").
		w.res.OSFiles[e.Path] = []byte{}
		osWanted = false
	}
	if len(w.wanted) == 0 && len(w.owners) == 0 && !osWanted {
		return nil
	}
	if open == nil {
		return nil
	}
	if e.Size > w.limits.MaxFileSize {
		for _, ex := range w.wanted {
			er := w.res.Extractors[ex.Name()]
			er.Issues = append(er.Issues, model.Issue{Plugin: ex.Name(), Path: e.Path, Limit: "max-file-size",
				Reason: fmt.Sprintf("file of %d bytes is larger than the %d-byte limit; not read", e.Size, w.limits.MaxFileSize)})
		}
		for _, o := range w.owners {
			w.res.Issues = append(w.res.Issues, model.Issue{Plugin: o.Name(), Path: e.Path, Limit: "max-file-size",
				Reason: fmt.Sprintf("file of %d bytes is larger than the %d-byte limit; not read", e.Size, w.limits.MaxFileSize)})
		}
		w.res.Limited = true
		return nil
	}
	if err := w.opts.Budget.AddBytes(e.Path, e.Size); err != nil {
		w.limit("fsx", e.Path, "max-total-bytes", err.Error()+"; the rest of the tree was not read")
		return errStop
	}
	rc, err := open()
	if err != nil {
		w.Issue(model.Issue{Plugin: "fsx", Path: e.Path, Reason: "cannot open: " + err.Error()})
		return nil
	}
	c, err := readContent(paced(w.ctx, rc, w.opts.Budget.rate), e.Size, w.opts.SpillThreshold, w.opts.TempDir)
	rc.Close()
	if err != nil {
		if ctxErr := w.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var le *extract.LimitError
		if errors.As(err, &le) {
			return err // the stream itself hit a limit (decompression bomb)
		}
		w.Issue(model.Issue{Plugin: "fsx", Path: e.Path, Reason: "cannot read: " + err.Error()})
		var te *TarError
		if errors.As(err, &te) {
			return err
		}
		return nil
	}
	defer c.release()
	w.res.Stats.FilesRead++
	w.res.Stats.BytesRead += e.Size
	if c.file != nil {
		w.res.Stats.Spilled++
	}
	if osWanted && c.mem != nil {
		w.res.OSFiles[e.Path] = c.mem
	}
	if len(w.wanted) > 0 {
		w.offered[HashPath(e.Path)] = e.Path
	}
	for _, ex := range w.wanted {
		if err := w.extract(ex, fi, c); err != nil {
			return err
		}
	}
	for _, o := range w.owners {
		if err := w.own(o, fi, c); err != nil {
			return err
		}
	}
	return nil
}

// extract runs one extractor on one file and files its packages and
// failure. It returns an error only when the walk must stop.
func (w *walker) extract(ex extract.Extractor, fi extract.FileInfo, c *content) error {
	name := ex.Name()
	r, ra := c.readers()
	in := &extract.Input{FileInfo: fi, Reader: r, ReaderAt: ra, Limits: w.opts.Budget.Limits(), TempDir: w.opts.TempDir, Content: c.mem}
	pkgs, err := safeExtract(w.ctx, ex, in)
	er := w.res.Extractors[name]
	for i := range pkgs {
		p := &pkgs[i]
		if p.Path == "" {
			p.Path = fi.Path
		}
		if p.Extractor == "" {
			p.Extractor = name
		}
	}
	if prev := er.Packages[fi.Path]; len(prev) > 0 {
		er.Packages[fi.Path] = append(prev, pkgs...)
	} else if len(pkgs) > 0 {
		er.Packages[fi.Path] = pkgs // the extractor's slice, not a copy
	}
	if err == nil {
		return nil
	}
	if cerr := w.ctx.Err(); cerr != nil {
		return cerr
	}
	is := model.Issue{Plugin: name, Path: fi.Path, Reason: err.Error()}
	var le *extract.LimitError
	if errors.As(err, &le) {
		is.Limit = le.Limit
		w.res.Limited = true
	}
	er.Issues = append(er.Issues, is)
	return nil
}

func safeExtract(ctx context.Context, ex extract.Extractor, in *extract.Input) (pkgs []model.Package, err error) {
	defer func() {
		if v := recover(); v != nil {
			pkgs, err = nil, &PanicError{Extractor: ex.Name(), Value: v}
		}
	}()
	return ex.Extract(ctx, in)
}
