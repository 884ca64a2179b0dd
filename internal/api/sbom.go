package api

import (
	"io"
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
	"github.com/vigilsec/vigil/internal/store"
)

// exportSBOM writes the stored inventory of a resource as CycloneDX
// (format=cyclonedx, the default) or SPDX (format=spdx) JSON.
func (s *Server) exportSBOM(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	format := strings.ToLower(r.URL.Query().Get("format"))
	if format == "" {
		format = "cyclonedx"
	}
	if format != "cyclonedx" && format != "spdx" {
		return nil, badRequest("format %q: want cyclonedx or spdx", format)
	}
	ctx := r.Context()
	id := model.ResourceID(pathID(r))
	var inv *model.Inventory
	err := s.store.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Resources(p.Scope).Get(ctx, id); err != nil {
			return err
		}
		var err error
		inv, _, err = tx.Inventories(p.Scope).Load(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	if format == "spdx" {
		return &Raw{ContentType: "application/spdx+json", Filename: string(id) + ".spdx.json", Write: func(w io.Writer) error {
			return report.WriteSPDX(w, inv, s.gen, now)
		}}, nil
	}
	return &Raw{ContentType: "application/vnd.cyclonedx+json", Filename: string(id) + ".cdx.json", Write: func(w io.Writer) error {
		return report.WriteCycloneDXSBOM(w, inv, s.gen, now)
	}}, nil
}
