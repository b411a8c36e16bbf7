// Package model holds the apigateway (REST API, "v1") resource types exactly
// as they appear on the wire: JSON member names, optional members as
// pointers so that absent and zero stay distinguishable, and the small value
// types (epoch-second timestamps, doubles that keep their ".0") the AWS
// SDKs expect. The same types are what the store persists. No I/O here.
//
// Members that several types share mean the same everywhere and are not
// documented again on each field: ID is the identifier the service assigns
// at creation; Name is a caller-chosen label; Description is optional
// free text; CreatedDate and LastUpdatedDate are Times; Tags maps tag keys
// to values. A field whose type is a struct of this package is documented
// on that type.
package model
