package advisory

import (
	"context"
	"net/http"
	"strings"
)

// Update downloads the wanted feeds and commits a new snapshot when any
// changed. The ecosystems in opts are added to the persisted wanted set
// first. Feeds the source does not have (HTTP 404) fall back to native
// distro feeds where vigil has one (Debian tracker lists, Alpine secdb).
// A feed that fails keeps its previous data; the error is returned along
// with the result, which still describes the committed snapshot.
func (db *DB) Update(ctx context.Context, opts UpdateOptions) (*UpdateResult, error) {
	for _, e := range opts.Ecosystems {
		if _, err := ParseEcosystem(e); err != nil {
			return nil, err
		}
	}
	if err := db.Want(opts.Ecosystems...); err != nil {
		return nil, err
	}
	ecos, err := db.Wanted()
	if err != nil {
		return nil, err
	}
	if len(ecos) == 0 {
		return nil, &NothingWantedError{}
	}
	feeds := updateFeeds(&opts, ecos)
	fallback := func(f Feed) []Feed {
		if f.Kind() != KindOSV {
			return nil
		}
		return nativeFallback(&opts, strings.TrimPrefix(f.Name(), "osv/"))
	}
	h := hooks{fallback: fallback}
	if opts.NVD {
		h.extra = func(ctx context.Context, m *Manifest) ([]Feed, error) {
			f, _, err := db.nvdFeed(ctx, &opts, m, opts.Retry.withDefaults())
			if f == nil {
				return nil, err
			}
			return []Feed{f}, err
		}
	}
	return db.apply(ctx, feeds, opts.Common, opts.Retry, h)
}

// nvdHeader returns the API key header for NVD requests.
func nvdHeader(key string) http.Header {
	if key == "" {
		return nil
	}
	return http.Header{"apiKey": []string{key}}
}
