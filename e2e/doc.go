// Package e2e holds black-box tests: they build the real tollgate binary,
// start it on loopback with a fresh data dir, and drive it with real
// clients (the AWS SDK for JavaScript v3, the AWS CLI v2, curl).
package e2e
