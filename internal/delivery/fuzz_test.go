package delivery_test

import (
	"testing"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/store"
)

// FuzzParseConfig: any input is refused with an error or yields a
// configuration within bounds; it never panics.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{`{"url":"https://hooks.example/x"}`, `{"argv":["/bin/true"],"timeout":"1s"}`,
		`{"url":"http://127.0.0.1/","maxAttempts":3,"backoffMin":"1s","backoffMax":"2s","consoleUrl":"https://c/"}`,
		`{"timeout":"-1s"}`, `{"argv":["a\u0000b"]}`, `[]`, `null`, `{"url":"https://x/"}x`} {
		for _, k := range []store.TargetKind{store.TargetWebhook, store.TargetCommand} {
			f.Add(string(k), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		c, err := delivery.ParseConfig(store.TargetKind(kind), data)
		if err != nil {
			return
		}
		if c.MaxAttempts < 1 || c.MaxAttempts > delivery.MaxMaxAttempts || c.Timeout <= 0 || c.BackoffMin > c.BackoffMax {
			t.Errorf("accepted out of bounds: %+v", c)
		}
		if (c.URL == "") == (len(c.Argv) == 0) {
			t.Errorf("accepted with neither or both of url and argv: %+v", c)
		}
	})
}
