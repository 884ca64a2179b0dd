package source

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/vigilsec/vigil/internal/model"
)

// refNameAnnotation names an image in an OCI layout's index.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// maxIndexDepth bounds nested indexes.
const maxIndexDepth = 4

// ErrNoImage is returned when a layout or index holds no image for the
// platform.
var ErrNoImage = errors.New("no image for the platform")

// ErrNoRef is returned when a layout holds no image of the named tag or
// digest.
var ErrNoRef = errors.New("no image of that name in the layout")

// splitLayoutRef splits "DIR:TAG" and "DIR@sha256:…" (the names skopeo and
// umoci use) into the directory and the selector; a DIR that exists as
// given is never split.
func splitLayoutRef(s string) (dir, tag, digest string) {
	if i := strings.LastIndex(s, "@sha256:"); i > 0 {
		return s[:i], "", s[i+1:]
	}
	if st, err := os.Stat(s); err == nil && st.IsDir() {
		return s, "", ""
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && !strings.ContainsRune(s[i+1:], '/') {
		return s[:i], s[i+1:], ""
	}
	return s, "", ""
}

func openLayout(target, ref string, plat *v1.Platform) (*Image, error) {
	dir, tag, digest := splitLayoutRef(ref)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	var (
		img  v1.Image
		desc *v1.Descriptor
	)
	if tag != "" || digest != "" {
		img, desc, err = pickRef(idx, tag, digest, plat)
	} else {
		img, desc, err = pickImage(idx, plat, 0)
	}
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	t := model.Target{Kind: model.TargetImage, Name: target}
	if desc != nil {
		if n := desc.Annotations[refNameAnnotation]; n != "" {
			t.Tags = []string{n}
		}
	}
	return fromV1(target, img, t, true, nil)
}

// pickImage returns the image of idx for plat: the only image, or the one
// whose platform matches (descending into nested indexes).
func pickImage(idx v1.ImageIndex, plat *v1.Platform, depth int) (v1.Image, *v1.Descriptor, error) {
	if depth > maxIndexDepth {
		return nil, nil, fmt.Errorf("indexes nested more than %d deep", maxIndexDepth)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, nil, err
	}
	var images []v1.Descriptor
	for _, d := range im.Manifests {
		if d.MediaType.IsImage() {
			images = append(images, d)
		}
	}
	if len(images) == 1 && (images[0].Platform == nil || images[0].Platform.Satisfies(*plat)) {
		img, err := idx.Image(images[0].Digest)
		return img, &images[0], err
	}
	for _, d := range images {
		if d.Platform != nil && d.Platform.Satisfies(*plat) {
			img, err := idx.Image(d.Digest)
			return img, &d, err
		}
	}
	for _, d := range images {
		if d.Platform != nil {
			continue
		}
		// No platform in the descriptor: read it from the config.
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, nil, err
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, nil, err
		}
		if cfg.Platform() == nil || cfg.Platform().Satisfies(*plat) {
			return img, &d, nil
		}
	}
	for _, d := range im.Manifests {
		if !d.MediaType.IsIndex() {
			continue
		}
		child, err := idx.ImageIndex(d.Digest)
		if err != nil {
			return nil, nil, err
		}
		img, cd, err := pickImage(child, plat, depth+1)
		if err == nil {
			if cd != nil && cd.Annotations[refNameAnnotation] == "" && d.Annotations[refNameAnnotation] != "" {
				c := *cd
				c.Annotations = map[string]string{refNameAnnotation: d.Annotations[refNameAnnotation]}
				cd = &c
			}
			return img, cd, nil
		}
		if !errors.Is(err, ErrNoImage) {
			return nil, nil, err
		}
	}
	return nil, nil, fmt.Errorf("%w %s", ErrNoImage, plat)
}

// splitArchiveRef splits "FILE:NAME:TAG" (skopeo's docker-archive syntax)
// into the archive and the image's tag; a FILE that exists as given is
// never split.
func splitArchiveRef(s string) (file, ref string) {
	if st, err := os.Stat(s); err == nil && st.Mode().IsRegular() {
		return s, ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		if st, err := os.Stat(s[:i]); err == nil && st.Mode().IsRegular() {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func openArchive(target, spec string) (*Image, error) {
	file, ref := splitArchiveRef(spec)
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(file) })
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	var tag *name.Tag
	entry := -1
	if ref != "" {
		t, err := name.NewTag(ref)
		if err != nil {
			return nil, &Error{Target: target, Err: err}
		}
		tag = &t
		for i, d := range m {
			for _, rt := range d.RepoTags {
				if rt2, err := name.NewTag(rt); err == nil && rt2.Name() == t.Name() {
					entry = i
				}
			}
		}
		if entry < 0 {
			return nil, &Error{Target: target, Err: fmt.Errorf("%w: %s", ErrNoRef, ref)}
		}
	} else if len(m) != 1 {
		return nil, &Error{Target: target, Err: fmt.Errorf("archive holds %d images; name one as FILE:NAME:TAG", len(m))}
	} else {
		entry = 0
	}
	img, err := tarball.ImageFromPath(file, tag)
	if err != nil {
		return nil, &Error{Target: target, Err: err}
	}
	t := model.Target{Kind: model.TargetImage, Name: target}
	for _, rt := range m[entry].RepoTags {
		if tag, err := name.NewTag(rt); err == nil {
			t.Repository = tag.Context().Name()
			t.Tags = append(t.Tags, tag.TagStr())
		}
	}
	return fromV1(target, img, t, false, nil)
}

// pickRef returns the image of idx named by tag (its ref.name annotation,
// alone or after a repository) or by digest; a named index is resolved for
// plat.
func pickRef(idx v1.ImageIndex, tag, digest string, plat *v1.Platform) (v1.Image, *v1.Descriptor, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, nil, err
	}
	for _, d := range im.Manifests {
		n := d.Annotations[refNameAnnotation]
		if digest != "" && d.Digest.String() != digest || digest == "" && n != tag && !strings.HasSuffix(n, ":"+tag) {
			continue
		}
		switch {
		case d.MediaType.IsImage():
			img, err := idx.Image(d.Digest)
			return img, &d, err
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, nil, err
			}
			img, cd, err := pickImage(child, plat, 1)
			if err == nil && cd != nil && n != "" {
				c := *cd
				c.Annotations = map[string]string{refNameAnnotation: n}
				cd = &c
			}
			return img, cd, err
		}
	}
	name := tag
	if digest != "" {
		name = digest
	}
	return nil, nil, fmt.Errorf("%w: %s", ErrNoRef, name)
}
