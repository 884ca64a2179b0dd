// Package delivery carries outbox events to the targets of event rules:
// the relay reads each target's events after its cursor, matches them
// against the target's rules (EventBridge patterns, event/pattern), and
// delivers them in sequence order with retries, exponential backoff and a
// dead-letter list. Targets are a signed webhook, a command run with the
// event on its standard input, another vigil server's ingest endpoint, and
// a Slack-compatible incoming webhook.
//
// Delivery is at least once: the cursor moves only after a target
// accepted an event, so a crash may deliver an event again, always with
// the same idempotency key (the envelope's id).
package delivery
