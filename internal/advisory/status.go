package advisory

import (
	"context"
	"time"
)

// Status describes the database for `vigil db status`.
type Status struct {
	Dir       string       `json:"dir"`
	Snapshot  string       `json:"snapshot"`
	CreatedAt time.Time    `json:"createdAt"`
	Records   int          `json:"records"`
	Wanted    []string     `json:"wanted"`
	Feeds     []FeedStatus `json:"feeds"`
}

// Status reads the current snapshot's manifest. It returns a
// *NoDatabaseError when there is no snapshot.
func (db *DB) Status(ctx context.Context) (*Status, error) {
	s, err := db.Current(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	w, err := db.Wanted()
	if err != nil {
		return nil, err
	}
	if w == nil {
		w = []string{}
	}
	return &Status{Dir: db.dir, Snapshot: s.ID(), CreatedAt: s.CreatedAt(), Records: s.RecordCount(), Wanted: w, Feeds: s.Feeds()}, nil
}

// Stale reports whether a feed was last checked more than after ago.
func (f FeedStatus) Stale(now time.Time, after time.Duration) bool {
	return after > 0 && now.Sub(f.CheckedAt) > after
}
