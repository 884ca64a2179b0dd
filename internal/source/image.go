package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/vigilsec/vigil/internal/model"
)

// Target prefixes naming where an image is read from.
const (
	PrefixOCILayout     = "oci-layout:"
	PrefixDockerArchive = "docker-archive:"
	PrefixRegistry      = "registry:"
)

// DefaultPlatform is chosen from a multi-platform index when none is given.
const DefaultPlatform = "linux/amd64"

// ImageOptions configure how an image is opened.
type ImageOptions struct {
	// Platform ("os/arch[/variant]") picks an image from an index;
	// DefaultPlatform when empty.
	Platform string
	// Keychain supplies registry credentials; authn.DefaultKeychain (the
	// Docker config and its credential helpers) when nil.
	Keychain authn.Keychain
	// Insecure allows plain HTTP to any registry. Loopback and localhost
	// registries use plain HTTP without it.
	Insecure bool
	// Transport overrides the HTTP transport (tests, proxies).
	Transport http.RoundTripper
}

// Layer is one layer of an image, bottom first. From a docker archive,
// whose layers are stored uncompressed, Digest and Size are left empty:
// a compressed digest would mean recompressing the layer.
type Layer struct {
	model.Layer
	open func() (io.ReadCloser, error)
}

// Open returns the layer's blob as stored: compressed (gzip or zstd) from
// a registry or an OCI layout, usually plain from a docker archive. The
// caller recognises the compression by its magic bytes.
func (l *Layer) Open() (io.ReadCloser, error) { return l.open() }

// Image is an opened container image.
type Image struct {
	// Layers are bottom first.
	Layers []*Layer
	// Config is the image configuration.
	Config *v1.ConfigFile
	target model.Target
	img    v1.Image
	closer io.Closer
}

// Target implements Source.
func (i *Image) Target() model.Target { return i.target }

// V1 returns the go-containerregistry image.
func (i *Image) V1() v1.Image { return i.img }

// Close implements Source.
func (i *Image) Close() error {
	if i.closer != nil {
		return i.closer.Close()
	}
	return nil
}

// OpenImage resolves an image target:
//   - "oci-layout:DIR[:TAG|@sha256:…]", or a directory holding an
//     oci-layout file;
//   - "docker-archive:FILE[:NAME:TAG]", or an existing file ending in ".tar";
//   - otherwise ("registry:" optional) a registry reference.
func OpenImage(ctx context.Context, target string, opts ImageOptions) (*Image, error) {
	plat, err := parsePlatform(opts.Platform)
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	switch {
	case strings.HasPrefix(target, PrefixOCILayout):
		return openLayout(target, strings.TrimPrefix(target, PrefixOCILayout), plat)
	case strings.HasPrefix(target, PrefixDockerArchive):
		return openArchive(target, strings.TrimPrefix(target, PrefixDockerArchive))
	case strings.HasPrefix(target, PrefixRegistry):
		return openRemote(ctx, target, strings.TrimPrefix(target, PrefixRegistry), plat, opts)
	}
	if st, err := os.Stat(filepath.Join(target, "oci-layout")); err == nil && st.Mode().IsRegular() {
		return openLayout(target, target, plat)
	}
	if st, err := os.Stat(target); err == nil && st.Mode().IsRegular() && strings.HasSuffix(target, ".tar") {
		return openArchive(target, target)
	}
	return openRemote(ctx, target, target, plat, opts)
}

func parsePlatform(s string) (*v1.Platform, error) {
	if s == "" {
		s = DefaultPlatform
	}
	p, err := v1.ParsePlatform(s)
	if err != nil {
		return nil, fmt.Errorf("platform %q: %w", s, err)
	}
	return p, nil
}

func openRemote(ctx context.Context, target, ref string, plat *v1.Platform, opts ImageOptions) (*Image, error) {
	var nopts []name.Option
	if opts.Insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	kc := opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc), remote.WithPlatform(*plat)}
	if opts.Transport != nil {
		ropts = append(ropts, remote.WithTransport(opts.Transport))
	}
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	img, err := desc.Image()
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	t := model.Target{Kind: model.TargetImage, Name: target, Repository: r.Context().Name()}
	if tag, ok := r.(name.Tag); ok {
		t.Tags = []string{tag.TagStr()}
	}
	return fromV1(target, img, t, true, nil)
}

// fromV1 fills an Image from a v1.Image. compressed says the layers' blobs
// are cheap to read as stored (registry, layout).
func fromV1(target string, img v1.Image, t model.Target, compressed bool, closer io.Closer) (*Image, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, &Error{Target: target, Err: fmt.Errorf("config: %w", err)}
	}
	if cfg == nil {
		return nil, &Error{Target: target, Err: errors.New("image has no config")}
	}
	if compressed {
		d, err := img.Digest()
		if err != nil {
			return nil, &Error{Target: target, Err: err}
		}
		t.Digest = d.String()
	} else {
		// A docker archive holds no registry manifest (computing one
		// would recompress every layer): its identity is the config
		// digest, Docker's image ID.
		d, err := img.ConfigName()
		if err != nil {
			return nil, &Error{Target: target, Err: err}
		}
		t.Digest = d.String()
	}
	t.Platform = platformString(cfg.OS, cfg.Architecture, cfg.Variant)
	ls, err := img.Layers()
	if err != nil {
		return nil, &Error{Target: target, Err: fmt.Errorf("layers: %w", err)}
	}
	if len(ls) > maxLayers {
		return nil, &Error{Target: target, Err: fmt.Errorf("%d layers, more than %d", len(ls), maxLayers)}
	}
	var createdBy []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}
	out := &Image{Config: cfg, target: t, img: img, closer: closer}
	// Diff ids come from the config: asking some layer implementations
	// (OCI layouts) computes them by decompressing the whole blob.
	configDiffIDs := len(cfg.RootFS.DiffIDs) == len(ls)
	for i, l := range ls {
		var diffID v1.Hash
		if configDiffIDs {
			diffID = cfg.RootFS.DiffIDs[i]
		} else if diffID, err = l.DiffID(); err != nil {
			return nil, &Error{Target: target, Err: fmt.Errorf("layer %d diff id: %w", i, err)}
		}
		ml := model.Layer{DiffID: diffID.String()}
		if len(createdBy) == len(ls) {
			ml.CreatedBy = createdBy[i]
		}
		lay := &Layer{Layer: ml}
		if compressed {
			d, err := l.Digest()
			if err != nil {
				return nil, &Error{Target: target, Err: fmt.Errorf("layer %d digest: %w", i, err)}
			}
			lay.Digest = d.String()
			if sz, err := l.Size(); err == nil {
				lay.Size = sz
			}
			lay.open = l.Compressed
		} else {
			lay.open = l.Uncompressed
		}
		out.Layers = append(out.Layers, lay)
	}
	return out, nil
}

// maxLayers bounds the layers of one image (Docker allows 127).
const maxLayers = 256

func platformString(os, arch, variant string) string {
	s := os + "/" + arch
	if variant != "" {
		s += "/" + variant
	}
	return s
}
