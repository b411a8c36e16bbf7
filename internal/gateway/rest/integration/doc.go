// Package integration implements the backends of REST API methods: MOCK,
// HTTP and HTTP_PROXY, AWS (Lambda) and AWS_PROXY (Lambda proxy, payload
// 1.0). Each is built once per deployment by its constructor, which parses
// and validates its configuration; Invoke only executes.
package integration
