// Package oas holds what the OpenAPI import and export of REST APIs
// (apigateway) and HTTP APIs (apigatewayv2) share: reading a JSON or YAML
// document as AWS's importer does (repeated keys keep their last value,
// unquoted numbers read as Java renders them, AWS variables resolved),
// reading its values leniently, the base path rules of the import, the
// import's warning and error answers, and writing an export with its
// members in a fixed order as JSON or YAML.
//
// A decoded document is plain values: [Obj], []any, string, int,
// float64, bool and nil.
package oas
