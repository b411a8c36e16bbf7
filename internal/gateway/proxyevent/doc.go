// Package proxyevent encodes and decodes the Lambda payloads of Amazon API
// Gateway HTTP APIs:
//
//   - [AppendV2] and [AppendV1]: the integration request event, payload
//     format 2.0 and 1.0 (as HTTP APIs send 1.0, which differs from REST);
//   - [DecodeResponseV2] and [DecodeResponseV1]: the function's answer,
//     with 2.0's inference rules for answers without a statusCode;
//   - [AppendAuthorizerV2] and [AppendAuthorizerV1]: the REQUEST authorizer
//     events; [DecodeSimpleResponse] and [DecodePolicyResponse]: their
//     answers.
//
// The input is a [Request], a plain description of the client's request
// that an engine fills without copying: headers are read through a visitor,
// strings may alias the engine's buffers. Encoders are hand-written
// appenders (no reflection) and reuse pooled scratch space, so building an
// event costs a handful of allocations at most; nothing here parses
// configuration.
//
// Field names and shapes follow aws-lambda-go's events package
// (APIGatewayV2HTTPRequest, APIGatewayProxyRequest,
// APIGatewayV2CustomAuthorizerV1Request/V2Request) and the AWS developer
// guide pages "Create AWS Lambda proxy integrations for HTTP APIs" and
// "Control access to HTTP APIs with AWS Lambda authorizers"; where they are
// silent the choice made is tagged [U] at the code that makes it.
package proxyevent
