// Package gateway is Tollgate's data plane. It holds no code of its own;
// a request travels through its packages in one direction:
//
//	engine    the fasthttp listener: adapts each request to pipeline.Request
//	          and pipeline.Response and hands it to the front door
//	front     host + path -> the Target serving it (a stage of an API of
//	          any type), one immutable table swapped atomically; refuses
//	          dot-segment paths and answers what reaches no target; custom
//	          domain names route by their rules and mappings (domains.go)
//	rest      a REST API stage (a Target): rest.Stage.Serve states REST's
//	          order; its integrations, access checks and request
//	          validators are in rest/integration, rest/access and
//	          rest/validate
//	httpapi   an HTTP API stage (a Target)
//	wsapi     a WebSocket API stage (a Target): the opening handshake
//	          through $connect, then the connection, handed over by the
//	          engine (pipeline.Upgrader), belongs to the node's Hub;
//	          messages, $disconnect and @connections
//	httpapi   an HTTP API stage (a Target): httpapi.Stage.Serve states
//	          HTTP APIs' order (CORS preflight, routes, throttles, JWT,
//	          Lambda or IAM authorization, parameter mapping, HTTP_PROXY
//	          and Lambda proxy integrations)
//
// beside what every API type shares:
//
//	pipeline  the per-request core: Request/Response, the Exchange record,
//	          failures and fixed answers, caller authorization, request
//	          ids, $context variables and templates, Target
//	observe   access logs and metrics over the Exchange
//	throttle  account and stage/route token buckets
//	authz     IAM (SigV4) callers, execute-api ARNs, Lambda authorizer calls
//	upstream  HTTP clients and forwarding, backend failures, Lambda calls
//	invoker   the seam to what runs Lambda functions (internal/lambda)
//	sni       the HTTPS listener's TLS configuration by server name: the
//	          custom domains' certificates and security policies
//	clientauth  mutual TLS: client certificates checked against a
//	          domain's truststore
//	websocket the server side of RFC 6455 frames under API Gateway's
//	          limits
//	connreg   where WebSocket connections are and what they carry (the
//	          seam a cluster shares); connreg/redis is a cluster's, with
//	          the relay of @connections calls to the node holding one
//	v2compile what HTTP and WebSocket APIs compile alike from their
//	          snapshots and stages (integrations, authorizers, route
//	          targets, access logs, route throttles)
//	router, pathsafe, mapping, cors, parammap, proxyevent
//	          pure building blocks (routing trees, the path policy, VTL's
//	          $input/$util, HTTP API CORS, parameter mapping and payloads)
//
// internal/deploy compiles stored deployments into targets and publishes
// them through the front door.
package gateway
