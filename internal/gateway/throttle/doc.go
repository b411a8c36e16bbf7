// Package throttle enforces API Gateway's request throttles for every API
// type: the account's token bucket and each stage's per-route buckets, over
// the ratelimit.Limiter seam (in memory, or shared by a cluster).
package throttle
