package rest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/respcache"
)

// recorder wraps the response of a cacheable request while its
// integration runs: it passes every call through and keeps a copy of the
// status, headers and body (streamed bodies are teed into a buffer bounded
// by respcache.MaxEntryBytes) to store once the response is complete. It
// holds nothing of the Exchange, since a streamed body completes after
// the Exchange has gone back to the pool.
type recorder struct {
	inner pipeline.Response

	store      respcache.Cache
	key        string
	ttl        time.Duration
	encrypt    bool
	invalidate bool // Cache-Control: max-age=0 from an authorized caller
	log        *slog.Logger
	requestID  string

	status   int
	headers  [][2]string
	body     []byte
	tooLarge bool
	stream   *teeBody
}

var _ pipeline.Response = (*recorder)(nil)

func (r *recorder) SetStatus(code int) { r.inner.SetStatus(code) }
func (r *recorder) Status() int        { return r.inner.Status() }
func (r *recorder) BodySize() int      { return r.inner.BodySize() }

func (r *recorder) SetHeader(name, value string) {
	r.inner.SetHeader(name, value)
	r.del(name)
	r.headers = append(r.headers, [2]string{name, value})
}

func (r *recorder) AddHeader(name, value string) {
	r.inner.AddHeader(name, value)
	r.add(name, value)
}

// AddHeaderBytes keeps the engine's byte path (see the HTTP_PROXY
// integration) and records a copy.
func (r *recorder) AddHeaderBytes(k, v []byte) {
	if br, ok := r.inner.(interface{ AddHeaderBytes(k, v []byte) }); ok {
		br.AddHeaderBytes(k, v)
	} else {
		r.inner.AddHeader(string(k), string(v))
	}
	r.add(string(k), string(v))
}

func (r *recorder) DelHeader(name string) {
	r.inner.DelHeader(name)
	r.del(name)
}

// add records an added header; Content-Type has one value (the engine
// replaces it too).
func (r *recorder) add(name, value string) {
	if strings.EqualFold(name, "Content-Type") {
		r.del(name)
	}
	r.headers = append(r.headers, [2]string{name, value})
}

func (r *recorder) del(name string) {
	out := r.headers[:0]
	for _, h := range r.headers {
		if !strings.EqualFold(h[0], name) {
			out = append(out, h)
		}
	}
	r.headers = out
}

func (r *recorder) SetBody(b []byte) {
	r.inner.SetBody(b)
	r.stream = nil
	if len(b) > respcache.MaxEntryBytes {
		r.body, r.tooLarge = nil, true
		return
	}
	r.body, r.tooLarge = append(r.body[:0], b...), false
}

// SetBodyStream tees the stream into a bounded buffer; the entry is
// stored when the engine closes the stream after reading it whole.
func (r *recorder) SetBodyStream(body io.Reader, size int) {
	if size > respcache.MaxEntryBytes {
		r.body, r.tooLarge, r.stream = nil, true, nil
		r.inner.SetBodyStream(body, size)
		return
	}
	r.body, r.tooLarge = nil, false
	r.stream = &teeBody{r: body, rec: r}
	r.inner.SetBodyStream(r.stream, size)
}

// cacheable reports whether the response may be stored: 2xx only
// [U: AWS does not say which statuses it caches].
func (r *recorder) cacheable() bool {
	return r.status >= 200 && r.status < 300 && !r.tooLarge
}

// finish runs once the integration has returned without error: a whole
// body is stored now, a stream when it has been sent.
func (r *recorder) finish() {
	r.status = r.inner.Status()
	if s := r.stream; s != nil {
		s.armed = true
		if s.closed {
			// An engine that read the stream whole inside SetBodyStream.
			s.complete()
		}
		return
	}
	r.save()
}

// save stores the recorded response, or for an invalidation whose
// response is not cacheable, drops the entry.
func (r *recorder) save() {
	if !r.cacheable() {
		if r.invalidate {
			r.drop()
		}
		return
	}
	e := &respcache.Entry{Status: r.status, Headers: r.headers, Body: r.body}
	err := r.store.Set(context.Background(), r.key, e, r.ttl, r.encrypt, time.Now())
	if err != nil && !errors.Is(err, respcache.ErrTooLarge) && r.log != nil {
		r.log.Warn("stage cache write failed", "requestId", r.requestID, "err", err)
	}
}

// drop removes the entry (an invalidation that produced nothing to store).
func (r *recorder) drop() {
	if err := r.store.Delete(context.Background(), r.key); err != nil && r.log != nil {
		r.log.Warn("stage cache delete failed", "requestId", r.requestID, "err", err)
	}
}

// teeBody copies a streamed body into its recorder's buffer up to
// MaxEntryBytes (past that the response is not cached) and stores the
// entry when closed after a complete read.
type teeBody struct {
	r      io.Reader
	rec    *recorder
	eof    bool
	closed bool
	armed  bool // the integration succeeded: store on Close
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if rec := t.rec; rec != nil && n > 0 && !rec.tooLarge {
		if len(rec.body)+n > respcache.MaxEntryBytes {
			rec.body, rec.tooLarge = nil, true
		} else {
			rec.body = append(rec.body, p[:n]...)
		}
	}
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}

// Close closes the underlying stream (completing the exchange), then,
// once the integration has succeeded, stores the entry if the whole body
// went through.
func (t *teeBody) Close() error {
	var err error
	if c, ok := t.r.(io.Closer); ok {
		err = c.Close()
	}
	t.closed = true
	if t.armed {
		t.complete()
	}
	return err
}

// complete stores (or for an incomplete invalidation, drops) the entry,
// once.
func (t *teeBody) complete() {
	rec := t.rec
	if rec == nil {
		return
	}
	t.rec = nil
	switch {
	case t.eof:
		rec.save()
	case rec.invalidate:
		rec.drop()
	}
}
