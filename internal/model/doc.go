// Package model holds the apigateway (REST API, "v1") resource types exactly
// as they appear on the wire: JSON member names, optional members as
// pointers so that absent and zero stay distinguishable, and the small value
// types (epoch-second timestamps, doubles that keep their ".0") the AWS
// SDKs expect. The same types are what the store persists. No I/O here.
package model
