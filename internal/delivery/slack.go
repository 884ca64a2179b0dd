package delivery

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/event"
)

// slackMessage is a Slack incoming-webhook payload: text (the
// notification and fallback) and blocks.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []*slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// SlackMessage formats an event as a compact Slack message: severity and
// title, the resource, and a link (the finding in the console when
// consoleURL is set, else the advisory).
func SlackMessage(env *event.Envelope, consoleURL string) ([]byte, error) {
	head := string(env.DetailType)
	var lines []string
	var text string
	d, err := env.DecodeDetail()
	if err != nil {
		return nil, err
	}
	switch d := d.(type) {
	case *event.Finding:
		text = fmt.Sprintf("[%s] %s: %s", d.Severity, head, d.Title)
		lines = append(lines, fmt.Sprintf("*%s* %s — %s", slackEscape(d.Severity), slackEscape(head), slackEscape(d.Title)))
		for _, r := range d.Resources {
			lines = append(lines, fmt.Sprintf("Resource: `%s` (%s)", slackEscape(r.ID), slackEscape(r.Type)))
		}
		link := ""
		switch {
		case consoleURL != "":
			link = strings.TrimRight(consoleURL, "/") + "/findings/" + d.FindingID
		case d.PackageVulnerabilityDetails != nil && d.PackageVulnerabilityDetails.SourceURL != "":
			link = d.PackageVulnerabilityDetails.SourceURL
		case d.Remediation.Recommendation.URL != "":
			link = d.Remediation.Recommendation.URL
		}
		if link != "" {
			lines = append(lines, "<"+slackEscape(link)+"|Details>")
		}
	default:
		text = head + " (" + env.Account + ")"
		lines = append(lines, "*"+slackEscape(head)+"* in account `"+slackEscape(env.Account)+"`")
	}
	m := slackMessage{Text: text, Blocks: []slackBlock{
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: strings.Join(lines, "\n")}},
		{Type: "context", Elements: []*slackText{{Type: "mrkdwn", Text: "vigil · " + slackEscape(env.Region) + " · " + env.Time.Format("2006-01-02 15:04:05Z")}}},
	}}
	return json.Marshal(m)
}
