// Package audit is Tollgate's audit trail: every authenticated management
// call (apigateway, apigatewayv2, Lambda, ACM, CloudWatch Logs, …) becomes
// a CloudTrail-style event, read back with CloudTrail's LookupEvents and,
// when configured, also written as JSON lines to a file or stdout.
//
// The management server hands each finished call to Trail.Record as a
// Call (the operation, the verified caller, the request and the answer);
// Build turns it into the event CloudTrail would record
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
// with the members a declared table names as secret replaced by "***"
// (redact.go) before anything is stored or written.
//
// Storage. Events live in the configuration store (SQLite by default,
// PostgreSQL in a cluster) under "audit/": they must survive restarts and
// be visible to every node, and management calls are few (people and
// deploy tools make them, not traffic), so a store transaction per batch
// of events is cheap. Keys order events newest first
// ("audit/e/{inverted time}/{event id}"), and one index key per lookup
// attribute value ("audit/a/{attribute}/{value}/{inverted time}/{id}")
// makes every LookupEvents query a bounded range scan. Writes are group
// commits: calls finishing together share one transaction, and Record
// returns once its event is durable (bounded by a timeout), so an event
// can be looked up as soon as its call has been answered. A sweeper
// deletes events older than the retention (90 days by default, CloudTrail's
// Event history window).
package audit
