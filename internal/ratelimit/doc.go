// Package ratelimit implements API Gateway's throttling and quotas: token
// buckets (Limiter) for the account, stage/method and usage-plan throttles,
// and per-key request quotas over calendar periods (Counter) for usage
// plans, with the per-day usage that GetUsage reports.
//
// Both are interfaces so that a shared store (Redis) can implement them for
// a cluster; Memory and MemoryCounter are the in-process implementations.
// Every method takes the current time from its caller instead of reading a
// clock: implementations are deterministic, and a shared store sees the
// time of the gateway that handled the request. The conformance suites in
// the limitertest and countertest packages check any implementation.
package ratelimit
