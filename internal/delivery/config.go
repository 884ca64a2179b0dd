package delivery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// Config is a target's settings, stored as JSON with the target.
type Config struct {
	// URL is where a webhook, Slack or forward target posts (for forward:
	// the other server's base URL, e.g. https://hub.example:8443).
	URL string `json:"url,omitempty"`
	// Argv is a command target's program and arguments (no shell).
	Argv []string `json:"argv,omitempty"`
	// Timeout bounds one attempt (a request, a command run).
	Timeout Duration `json:"timeout,omitzero"`
	// MaxAttempts is how many attempts an event gets before it goes to
	// the dead-letter list.
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// BackoffMin and BackoffMax bound the exponential wait between
	// attempts (randomised ±20 %).
	BackoffMin Duration `json:"backoffMin,omitzero"`
	BackoffMax Duration `json:"backoffMax,omitzero"`
	// ConsoleURL is the base of the links a Slack message carries.
	ConsoleURL string `json:"consoleUrl,omitempty"`
}

// Defaults and bounds of a Config.
const (
	DefaultTimeout     = 10 * time.Second
	MaxTimeout         = 10 * time.Minute
	DefaultMaxAttempts = 12
	MaxMaxAttempts     = 50
	DefaultBackoffMin  = time.Second
	DefaultBackoffMax  = 5 * time.Minute
	maxArgs            = 64
	maxArgLen          = 4096
	maxURLLen          = 2048
)

// Duration is a time.Duration written in JSON as a Go duration string
// ("10s", "1m30s").
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"10s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ConfigError says a target's settings are unusable.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string { return "target " + e.Field + ": " + e.Reason }

// ParseConfig decodes and checks the settings of a target of kind k,
// filling in defaults. Unknown fields are refused.
func ParseConfig(k store.TargetKind, data []byte) (Config, error) {
	var c Config
	if len(data) > 64<<10 {
		return c, &ConfigError{Field: "config", Reason: "larger than 64 KiB"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, &ConfigError{Field: "config", Reason: err.Error()}
	}
	if dec.More() {
		return c, &ConfigError{Field: "config", Reason: "trailing data"}
	}
	if err := c.check(k); err != nil {
		return c, err
	}
	c.defaults()
	return c, nil
}

func (c *Config) check(k store.TargetKind) error {
	switch k {
	case store.TargetWebhook, store.TargetSlack, store.TargetForward:
		if len(c.Argv) > 0 {
			return &ConfigError{Field: "argv", Reason: "only a command target runs a program"}
		}
		if err := checkURL(c.URL); err != nil {
			return err
		}
	case store.TargetCommand:
		if c.URL != "" {
			return &ConfigError{Field: "url", Reason: "a command target has no URL"}
		}
		if len(c.Argv) == 0 || c.Argv[0] == "" {
			return &ConfigError{Field: "argv", Reason: "name the program to run"}
		}
		if len(c.Argv) > maxArgs {
			return &ConfigError{Field: "argv", Reason: fmt.Sprintf("at most %d arguments", maxArgs)}
		}
		for _, a := range c.Argv {
			if len(a) > maxArgLen || bytes.IndexByte([]byte(a), 0) >= 0 {
				return &ConfigError{Field: "argv", Reason: "an argument is too long or holds a NUL byte"}
			}
		}
	default:
		return &ConfigError{Field: "kind", Reason: fmt.Sprintf("unknown kind %q", k)}
	}
	if c.ConsoleURL != "" {
		if err := checkURL(c.ConsoleURL); err != nil {
			return &ConfigError{Field: "consoleUrl", Reason: err.(*ConfigError).Reason}
		}
	}
	switch {
	case c.Timeout < 0 || time.Duration(c.Timeout) > MaxTimeout:
		return &ConfigError{Field: "timeout", Reason: fmt.Sprintf("between 0 and %s", MaxTimeout)}
	case c.MaxAttempts < 0 || c.MaxAttempts > MaxMaxAttempts:
		return &ConfigError{Field: "maxAttempts", Reason: fmt.Sprintf("between 1 and %d", MaxMaxAttempts)}
	case c.BackoffMin < 0 || c.BackoffMax < 0 || time.Duration(c.BackoffMin) > time.Hour || time.Duration(c.BackoffMax) > time.Hour:
		return &ConfigError{Field: "backoff", Reason: "between 0 and 1h"}
	case c.BackoffMax != 0 && c.BackoffMin > c.BackoffMax:
		return &ConfigError{Field: "backoff", Reason: "backoffMin above backoffMax"}
	}
	return nil
}

func checkURL(s string) error {
	if s == "" {
		return &ConfigError{Field: "url", Reason: "required"}
	}
	if len(s) > maxURLLen {
		return &ConfigError{Field: "url", Reason: "too long"}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &ConfigError{Field: "url", Reason: "want an absolute http or https URL"}
	}
	if u.User != nil {
		return &ConfigError{Field: "url", Reason: "credentials in the URL are not allowed (use the secret)"}
	}
	return nil
}

func (c *Config) defaults() {
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultTimeout)
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.BackoffMin == 0 {
		c.BackoffMin = Duration(DefaultBackoffMin)
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = Duration(max(DefaultBackoffMax, time.Duration(c.BackoffMin)))
	}
}
