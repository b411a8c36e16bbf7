package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpproxy"
	"go.opentelemetry.io/otel"
)

// exportConfig is how spans are batched and sent: the OpenTelemetry SDK's
// settings and defaults [D: opentelemetry.io/docs/specs/otel/protocol/exporter,
// opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables].
type exportConfig struct {
	url     string
	headers [][2]string
	gzip    bool
	// timeout bounds one export request (OTEL_EXPORTER_OTLP_TIMEOUT);
	// exportTimeout an export with its retries (OTEL_BSP_EXPORT_TIMEOUT).
	timeout, exportTimeout time.Duration
	// delay is the longest a span waits in the queue
	// (OTEL_BSP_SCHEDULE_DELAY).
	delay time.Duration
	// maxQueue spans wait at most, sent batch at a time.
	maxQueue, batch int
	tls             *tls.Config
}

// exportSettings reads the export settings: endpoint (a base URL, see
// Config.Endpoint) or the OTEL_EXPORTER_OTLP_* variables, and the batch
// processor's OTEL_BSP_* variables.
func exportSettings(endpoint string, getenv func(string) string) (exportConfig, error) {
	c := exportConfig{timeout: 10 * time.Second, exportTimeout: 30 * time.Second, delay: 5 * time.Second,
		maxQueue: 2048, batch: 512, url: "http://localhost:4318/v1/traces"}
	// otlp is an exporter variable, the traces-specific one first.
	otlp := func(name string) string {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_" + name)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name))
	}
	var err error
	switch {
	case endpoint != "":
		c.url, err = tracesURL(endpoint)
	case strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != "":
		// The signal's own endpoint is used as it is.
		v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
		if u, perr := url.Parse(v); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			err = fmt.Errorf("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT %q: want http(s)://host:port/path", v)
		}
		c.url = v
	case strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != "":
		c.url, err = tracesURL(strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")))
	}
	if err != nil {
		return c, err
	}
	for _, kv := range strings.Split(otlp("HEADERS"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, kerr := url.PathUnescape(strings.TrimSpace(k))
		v, verr := url.PathUnescape(strings.TrimSpace(v))
		if ok && k != "" && kerr == nil && verr == nil {
			c.headers = append(c.headers, [2]string{k, v})
		}
	}
	switch v := otlp("COMPRESSION"); v {
	case "gzip":
		c.gzip = true
	case "", "none":
	default:
		return c, fmt.Errorf("OTLP compression %q: want gzip or none", v)
	}
	for _, d := range []struct {
		v   string
		dst *time.Duration
	}{{otlp("TIMEOUT"), &c.timeout}, {getenv("OTEL_BSP_SCHEDULE_DELAY"), &c.delay}, {getenv("OTEL_BSP_EXPORT_TIMEOUT"), &c.exportTimeout}} {
		if ms, err := strconv.Atoi(strings.TrimSpace(d.v)); err == nil && ms > 0 {
			*d.dst = time.Duration(ms) * time.Millisecond
		}
	}
	for _, n := range []struct {
		v   string
		dst *int
	}{{getenv("OTEL_BSP_MAX_QUEUE_SIZE"), &c.maxQueue}, {getenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"), &c.batch}} {
		if v, err := strconv.Atoi(strings.TrimSpace(n.v)); err == nil && v > 0 {
			*n.dst = v
		}
	}
	c.batch = min(c.batch, c.maxQueue)
	c.tls, err = tlsSettings(otlp("CERTIFICATE"), otlp("CLIENT_CERTIFICATE"), otlp("CLIENT_KEY"))
	return c, err
}

// tlsSettings is the TLS configuration of the OTLP variables: the
// collector's CA certificate, the client's certificate and key (files).
func tlsSettings(ca, cert, key string) (*tls.Config, error) {
	if ca == "" && cert == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("OTLP certificate: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("OTLP certificate %s: no PEM certificate", ca)
		}
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("OTLP client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// exporter queues the spans of ended requests and sends them in batches
// from its own goroutine (run), as the SDK's batch span processor: when a
// batch's worth of spans is queued, or the oldest has waited delay. A full
// queue drops spans rather than delay a request. A request's encoded spans
// are copied into the queue's chunks, so that its record goes back to the
// pool at once, its buffers warm; chunks are reused once sent, so that a
// queue that grows under load allocates nothing once it has grown.
type exporter struct {
	cfg      exportConfig
	client   *fasthttp.Client
	resource []byte // the Resource field, encoded
	release  func(*record)

	mu     sync.Mutex
	queue  []*chunk // the last one is being filled
	spans  int      // spans queued
	free   []*chunk
	closed bool

	kick chan struct{} // a batch is ready
	// stop ends run, which sends what is queued; done tells run has
	// ended. ctx is cancelled when shutdown's context is done: retries
	// stop (an export in flight ends within its timeout).
	stop, done chan struct{}
	ctx        context.Context
	cancel     context.CancelFunc
	dropped    atomic.Uint64

	// retryWait is the first wait before an export is retried.
	retryWait time.Duration

	// Used by run only.
	req        fasthttp.Request
	resp       fasthttp.Response
	sending    []*chunk
	batch      []entry
	body       []byte
	zbuf       bytes.Buffer
	zw         *gzip.Writer
	reported   uint64    // drops reported
	reportedAt time.Time // last reported
}

// dropReportEvery is how often drops are reported, at most.
const dropReportEvery = 10 * time.Second

// chunkSize is the size of a queue chunk: a few hundred requests' spans.
const chunkSize = 64 << 10

// chunk is part of the queue: requests' encoded spans, one after the
// other, each request's an entry.
type chunk struct {
	buf     []byte
	entries []entry
}

// entry is a request's spans.
type entry struct {
	stage *Stage
	spans []byte // in a chunk's buf
	n     int    // spans
}

func newExporter(cfg exportConfig, resource []byte) (*exporter, error) {
	// One client, used by one goroutine: the request is written and the
	// answer read there, without the goroutines and copy buffers of
	// net/http's. HTTP_PROXY, HTTPS_PROXY and NO_PROXY apply.
	d := &fasthttpproxy.Dialer{Timeout: cfg.timeout, ConnectTimeout: cfg.timeout, DialDualStack: true}
	dial, err := d.GetDialFuncForTLS(true, strings.HasPrefix(cfg.url, "https:"))
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter proxy: %w", err)
	}
	client := &fasthttp.Client{Name: "Tollgate-OTLP-Exporter", Dial: dial, TLSConfig: cfg.tls,
		ReadTimeout: cfg.timeout, WriteTimeout: cfg.timeout, MaxResponseBodySize: 1 << 20,
		DisablePathNormalizing: true, MaxConnsPerHost: 2,
		// A kept-alive connection the collector closed meanwhile: the
		// export is sent again at once, on a new one (once; not after a
		// timeout).
		RetryIfErr: func(_ *fasthttp.Request, attempts int, err error) (bool, bool) {
			return false, attempts < 2 && !errors.Is(err, fasthttp.ErrTimeout)
		}}
	ctx, cancel := context.WithCancel(context.Background())
	return &exporter{cfg: cfg, client: client, resource: resource, retryWait: 500 * time.Millisecond,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), ctx: ctx, cancel: cancel}, nil
}

// enqueue queues the spans of a sampled request's record, or drops them,
// and releases the record.
func (e *exporter) enqueue(r *record) {
	e.mu.Lock()
	if e.closed || e.spans+r.nout > e.cfg.maxQueue {
		e.mu.Unlock()
		e.dropped.Add(uint64(r.nout))
		e.release(r)
		return
	}
	var c *chunk
	if n := len(e.queue); n > 0 && len(e.queue[n-1].buf)+len(r.out) <= cap(e.queue[n-1].buf) {
		c = e.queue[n-1]
	} else {
		c = e.newChunk(len(r.out))
		e.queue = append(e.queue, c)
	}
	start := len(c.buf)
	c.buf = append(c.buf, r.out...)
	c.entries = append(c.entries, entry{stage: r.stage, spans: c.buf[start:len(c.buf):len(c.buf)], n: r.nout})
	e.spans += r.nout
	ready := e.spans >= e.cfg.batch
	e.mu.Unlock()
	e.release(r)
	if ready {
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// newChunk is a free chunk with room for n bytes (e.mu held).
func (e *exporter) newChunk(n int) *chunk {
	if k := len(e.free); k > 0 && n <= chunkSize {
		c := e.free[k-1]
		e.free = e.free[:k-1]
		return c
	}
	return &chunk{buf: make([]byte, 0, max(n, chunkSize))}
}

// run sends batches until shutdown, then what is left.
func (e *exporter) run() {
	defer close(e.done)
	timer := time.NewTimer(e.cfg.delay)
	defer timer.Stop()
	for {
		select {
		case <-e.kick:
		case <-timer.C:
		case <-e.stop:
			e.flush()
			e.reportDrops(true)
			return
		}
		e.flush()
		timer.Reset(e.cfg.delay)
	}
}

// flush sends the queued spans, a batch at a time.
func (e *exporter) flush() {
	e.mu.Lock()
	e.sending = append(e.sending[:0], e.queue...)
	clear(e.queue)
	e.queue, e.spans = e.queue[:0], 0
	e.mu.Unlock()
	spans := 0
	for _, c := range e.sending {
		for _, en := range c.entries {
			if spans > 0 && spans+en.n > e.cfg.batch {
				e.send(e.encode(e.batch))
				e.batch, spans = e.batch[:0], 0
			}
			e.batch = append(e.batch, en)
			spans += en.n
		}
	}
	if len(e.batch) > 0 {
		e.send(e.encode(e.batch))
	}
	clear(e.batch) // the stages and chunks they point to
	e.batch = e.batch[:0]
	e.mu.Lock()
	for _, c := range e.sending {
		if cap(c.buf) == chunkSize {
			clear(c.entries)
			c.buf, c.entries = c.buf[:0], c.entries[:0]
			e.free = append(e.free, c)
		}
	}
	e.mu.Unlock()
	clear(e.sending)
	e.reportDrops(false)
}

// reportDrops tells OpenTelemetry's error handler how many spans were
// dropped since it last did, at most every dropReportEvery unless final.
func (e *exporter) reportDrops(final bool) {
	if d := e.dropped.Load(); d > e.reported && (final || time.Since(e.reportedAt) >= dropReportEvery) {
		otel.Handle(fmt.Errorf("OTLP traces: %d spans dropped, the export queue (OTEL_BSP_MAX_QUEUE_SIZE %d) was full", d-e.reported, e.cfg.maxQueue))
		e.reported, e.reportedAt = d, time.Now()
	}
}

// encode encodes the spans of entries as an ExportTraceServiceRequest:
// one ResourceSpans, a ScopeSpans per stage.
func (e *exporter) encode(entries []entry) []byte {
	slices.SortStableFunc(entries, func(a, b entry) int {
		switch {
		case a.stage.seq < b.stage.seq:
			return -1
		case a.stage.seq > b.stage.seq:
			return 1
		}
		return 0
	})
	// The ResourceSpans' length, then its fields.
	n := len(e.resource)
	forEachStage(entries, func(st *Stage, group []entry) { n += fieldLen(scopeSpansLen(st, group)) })
	b := appendField(e.body[:0], tagResourceSpans, n)
	b = append(b, e.resource...)
	forEachStage(entries, func(st *Stage, group []entry) {
		b = appendField(b, tagScopeSpans, scopeSpansLen(st, group))
		b = append(b, st.scope...)
		for _, en := range group {
			b = append(b, en.spans...)
		}
	})
	e.body = b
	return b
}

// forEachStage calls f with each stage's entries of entries, sorted by
// stage.
func forEachStage(entries []entry, f func(*Stage, []entry)) {
	for len(entries) > 0 {
		n := 1
		for n < len(entries) && entries[n].stage == entries[0].stage {
			n++
		}
		f(entries[0].stage, entries[:n])
		entries = entries[n:]
	}
}

// scopeSpansLen is the length of a ScopeSpans message of a stage's
// entries.
func scopeSpansLen(st *Stage, group []entry) int {
	n := len(st.scope)
	for _, en := range group {
		n += len(en.spans)
	}
	return n
}

// send posts an export request, retrying as OTLP/HTTP asks (transport
// errors, 429, 502, 503, 504) for up to the export timeout [D:
// opentelemetry.io/docs/specs/otlp/#failures-1]; failures go to
// OpenTelemetry's error handler, as the SDK's do.
func (e *exporter) send(body []byte) {
	if e.cfg.gzip {
		if e.zw == nil {
			e.zw = gzip.NewWriter(&e.zbuf)
		}
		e.zbuf.Reset()
		e.zw.Reset(&e.zbuf)
		_, _ = e.zw.Write(body)
		_ = e.zw.Close()
		body = e.zbuf.Bytes()
	}
	deadline := time.Now().Add(e.cfg.exportTimeout)
	wait := e.retryWait
	for {
		retry, after, err := e.post(body)
		if err == nil {
			return
		}
		if after > 0 {
			wait = after
		}
		if !retry || time.Now().Add(wait).After(deadline) {
			otel.Handle(fmt.Errorf("OTLP traces export to %s: %w", e.cfg.url, err))
			return
		}
		select {
		case <-time.After(wait):
		case <-e.ctx.Done():
			otel.Handle(fmt.Errorf("OTLP traces export to %s: %w", e.cfg.url, err))
			return
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// errStatus is an export answered with a failure status.
var errStatus = errors.New("collector answered")

// post makes one export request: retry says whether a failure may be
// retried, after is the wait the collector asked for.
func (e *exporter) post(body []byte) (retry bool, after time.Duration, err error) {
	req, resp := &e.req, &e.resp
	req.Reset()
	resp.Reset()
	req.SetRequestURI(e.cfg.url)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/x-protobuf")
	if e.cfg.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for _, h := range e.cfg.headers {
		req.Header.Set(h[0], h[1])
	}
	req.SetBodyRaw(body)
	err = e.client.DoTimeout(req, resp, e.cfg.timeout)
	req.SetBodyRaw(nil) // body is the exporter's buffer
	if err != nil {
		return true, 0, err
	}
	status := resp.StatusCode()
	if status/100 == 2 {
		return false, 0, nil
	}
	if s, err := strconv.Atoi(string(resp.Header.Peek("Retry-After"))); err == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	switch status {
	case fasthttp.StatusTooManyRequests, fasthttp.StatusBadGateway, fasthttp.StatusServiceUnavailable, fasthttp.StatusGatewayTimeout:
		retry = true
	}
	msg := resp.Body()
	if len(msg) > 4<<10 {
		msg = msg[:4<<10]
	}
	return retry, after, fmt.Errorf("%w %d: %q", errStatus, status, msg)
}

// shutdown stops taking spans and sends those queued, within ctx.
func (e *exporter) shutdown(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	close(e.stop)
	select {
	case <-e.done:
		e.cancel()
		return nil
	case <-ctx.Done():
		e.cancel()
		return fmt.Errorf("OTLP traces: spans left unsent: %w", ctx.Err())
	}
}
