package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// TestSetTagsQueuesScanConfig: tags decide coverage, so a tag change
// queues the application of the account's scan configuration at once
// (one job per account however many changes are waiting).
func TestSetTagsQueuesScanConfig(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			ctx := context.Background()
			for _, env := range []string{"Prod", "Dev"} {
				st, body := call(t, w.srv, w.tokB, "PUT", "/v1/resources/"+string(w.resB.ID)+"/tags", api.TagsRequest{Tags: map[string]string{"Env": env}})
				if st != http.StatusOK {
					t.Fatalf("PUT tags: %d %s", st, body)
				}
			}
			l, err := w.st.Queue().Lease(ctx, "test", []model.JobKind{api.KindScanConfig}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if l == nil || l.Job.AccountID != w.resB.AccountID {
				t.Fatalf("lease after a tag change = %+v, want the scan-configuration job of %s", l, w.resB.AccountID)
			}
			if again, err := w.st.Queue().Lease(ctx, "test", []model.JobKind{api.KindScanConfig}, time.Minute); err != nil || again != nil {
				t.Errorf("second lease = %+v, %v; want none (one job per account)", again, err)
			}
		})
	}
}
