// Package observe records what the data plane serves, for every API type:
// access logs (a stage's $context format, written to shared, buffered
// sinks) and Prometheus metrics named after API Gateway's CloudWatch
// metrics. It reads only the shared per-request record, pipeline.Exchange.
package observe
