// Package logs is Tollgate's stand-in for CloudWatch Logs' storage: log
// groups, log streams and their events, kept for the Logs API
// (internal/mgmt/logsapi: `aws logs tail --follow`, filter-log-events,
// get-log-events, describe-*) and fed by the gateway itself (stage access
// logs whose destination is a log group, execution logs, Lambda function
// output) through a Writer that never blocks a request.
//
// Storage. Log events are high-volume — an access-log line per request —
// so they are not kept in the configuration store: every store write is a
// transaction that advances the store revision and the change feed every
// node follows, and a request must never wait for one. They live in
// memory, in segments of about 1 MB per group, each segment mirrored by an
// append-only file in the data dir (<data-dir>/logs/<group in hex>/, JSON
// lines, mode 0600) that is replayed at start-up, so logs survive
// restarts. Storage is bounded twice: by total size (MaxBytes, 64 MB by
// default; the oldest segment of any group is dropped first) and by each
// group's retention (PutRetentionPolicy; segments whose newest event is
// older are dropped, older events are never returned). Reads sort the
// segments' events by time; a query touches only the segments whose time
// span overlaps it, so `aws logs tail --follow`, which asks for the last
// few seconds, reads the newest segment or two. In a cluster each node
// keeps the logs of the traffic it served (like a node's own log files).
package logs
