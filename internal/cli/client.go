package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// APIError is an error answer of the vigil server.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("server answered %d", e.Status)
	}
	return fmt.Sprintf("server: %s (%s, %d)", e.Message, e.Code, e.Status)
}

// ClientConfigError says VIGIL_SERVER or VIGIL_TOKEN is missing or wrong.
type ClientConfigError struct{ Reason string }

func (e *ClientConfigError) Error() string { return e.Reason }

// apiClient calls the vigil API named by VIGIL_SERVER with VIGIL_TOKEN.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// maxAnswer bounds an API answer the CLI reads.
const maxAnswer = 256 << 20

func newAPIClient() (*apiClient, error) {
	base := strings.TrimRight(os.Getenv("VIGIL_SERVER"), "/")
	if base == "" {
		return nil, &ClientConfigError{Reason: "VIGIL_SERVER is not set: export VIGIL_SERVER=http(s)://host:port of a vigil server"}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ClientConfigError{Reason: fmt.Sprintf("VIGIL_SERVER %q: want http(s)://host:port", base)}
	}
	token := os.Getenv("VIGIL_TOKEN")
	if token == "" {
		return nil, &ClientConfigError{Reason: "VIGIL_TOKEN is not set: export the API token the server gave you"}
	}
	return &apiClient{base: base, token: token, http: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (c *apiClient) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(data, &eb)
		return &APIError{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = append((*raw)[:0], data...)
		return nil
	}
	return json.Unmarshal(data, out)
}

// clientFormat is the --format flag of client commands.
type clientFormat struct{ format string }

func (f *clientFormat) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.format, "format", "f", "table", "output format: table or json")
}

func (f *clientFormat) check() error {
	if f.format != "table" && f.format != "json" {
		return fmt.Errorf("--format %q: want table or json", f.format)
	}
	return nil
}

// printJSON writes v indented.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTable writes a header and rows aligned in columns.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		for i := range r {
			r[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(r[i])
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// parseTags parses KEY=VALUE flags.
func parseTags(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	tags := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--tag %q: want KEY=VALUE", kv)
		}
		tags[k] = v
	}
	return tags, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
