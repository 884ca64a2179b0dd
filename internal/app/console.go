package app

import (
	"context"

	"github.com/vigilsec/vigil/internal/api"
)

// databaseStatus describes the advisory database for the console's
// dashboard (its freshness panel).
func (a *App) databaseStatus(ctx context.Context) (api.DatabaseStatus, error) {
	st, err := a.db.Status(ctx)
	if err != nil {
		return api.DatabaseStatus{}, err
	}
	out := api.DatabaseStatus{Snapshot: st.Snapshot, CreatedAt: st.CreatedAt, Records: st.Records, Feeds: []api.Feed{}}
	for _, f := range st.Feeds {
		out.Feeds = append(out.Feeds, api.Feed{Name: f.Name, Records: f.Records, CheckedAt: f.CheckedAt})
	}
	return out, nil
}
