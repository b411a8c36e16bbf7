// Package upstream is what the integrations of every API type share to reach
// their backends: pooled HTTP clients, forwarding a request to an HTTP
// backend and streaming its answer back (hop-by-hop headers filtered both
// ways), the mapping of backend failures to the gateway's answers, and
// invoking Lambda functions through the invoker seam.
package upstream
