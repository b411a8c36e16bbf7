// Package integration implements the backends of REST API methods: MOCK,
// HTTP and HTTP_PROXY (and, later, Lambda). Each is built once per
// deployment by its constructor, which parses and validates its
// configuration; Invoke only executes.
package integration
