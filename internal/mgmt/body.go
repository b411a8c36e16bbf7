package mgmt

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"net/http"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tollgate/tollgate/internal/awserr"
)

// DefaultBodyBudget bounds the bytes of request bodies held in memory at
// once (from the start of their reading to the end of their call), across
// all management calls: three 10 MB bodies. Under a flood of
// large bodies (signed with a known access key ID but a forged signature,
// which can only be found out once the body is read) the server's memory
// stays near this plus its baseline; calls wait their turn, in order.
const DefaultBodyBudget = 32 << 20

var errTooLarge = awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
	"Request payload size exceeds the maximum allowed") // [U] AWS's front door text

var errUnreadable = awserr.BadRequest("Could not read the request body")

// returnMemoryAfter is how many body bytes are held, in total, before
// the server hands freed memory back to the operating system as soon as
// no body is held any more (see bodyReader.done).
const returnMemoryAfter = 16 << 20

// bodyReader reads request bodies within a memory budget, hashing them as
// they stream in.
type bodyReader struct {
	budget *budget
	// sinceReturn counts the body bytes held since memory was last handed
	// back; returning is set while that is under way.
	sinceReturn atomic.Int64
	returning   atomic.Bool
}

// read returns r's body, at most limit bytes, and, when withSum is set, its
// SHA-256 computed while reading. The caller has checked a declared
// Content-Length against limit, and must call done once it no longer uses
// the body: the body's bytes count against the budget until then. With
// keep false the body is hashed and dropped without being held in memory
// (only its hash is wanted), and the returned body is nil.
func (br *bodyReader) read(w http.ResponseWriter, r *http.Request, limit int64, keep, withSum bool) (body []byte, sum [sha256.Size]byte, done func(), err error) {
	done = func() {}
	var h hash.Hash
	if withSum {
		h = sha256.New()
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		if h != nil {
			h.Sum(sum[:0])
		}
		return nil, sum, done, nil
	}
	src := http.MaxBytesReader(w, r.Body, limit)
	if !keep {
		if h == nil {
			return nil, sum, done, nil
		}
		if _, err := io.Copy(h, src); err != nil {
			return nil, sum, done, readError(err)
		}
		h.Sum(sum[:0])
		return nil, sum, done, nil
	}

	// The memory the body will take: its declared length, or, for a
	// chunked body, twice the limit (a growing buffer is copied as it
	// grows).
	need := 2 * limit
	if r.ContentLength > 0 {
		need = r.ContentLength
	}
	held, err := br.budget.acquire(r.Context(), need)
	if err != nil {
		return nil, sum, done, errUnreadable
	}
	done = func() { br.done(held) }
	if r.ContentLength > 0 {
		body, err = readKnown(src, h, r.ContentLength)
	} else {
		body, err = readChunked(src, h)
	}
	if err != nil {
		done()
		return nil, sum, func() {}, err
	}
	if h != nil {
		h.Sum(sum[:0])
	}
	return body, sum, done, nil
}

// done gives back the budget a body held. When that leaves no body held
// and many bytes were held since the last time, the memory the garbage
// collector frees is handed back to the operating system at once, in the
// background, rather than over the minutes the runtime would otherwise
// take: a burst of large bodies (a flood of forged requests, a series of
// imports) does not leave the process large.
func (br *bodyReader) done(held int64) {
	br.sinceReturn.Add(held)
	if !br.budget.release(held) || br.sinceReturn.Load() < returnMemoryAfter || !br.returning.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer br.returning.Store(false)
		br.sinceReturn.Store(0)
		debug.FreeOSMemory()
	}()
}

// readChunkSize is how much of a body is read (and hashed) at a time.
const readChunkSize = 64 << 10

// readKnown reads a body of declared length n into one buffer of exactly
// that size, hashing each piece as it arrives.
func readKnown(src io.Reader, h hash.Hash, n int64) ([]byte, error) {
	body := make([]byte, n)
	for off := 0; off < len(body); {
		end := min(off+readChunkSize, len(body))
		m, err := io.ReadFull(src, body[off:end])
		if h != nil {
			h.Write(body[off : off+m])
		}
		off += m
		if err != nil {
			return nil, readError(err)
		}
	}
	return body, nil
}

// readChunked reads a body of unknown length (limited by src), hashing
// each piece as it arrives.
func readChunked(src io.Reader, h hash.Hash) ([]byte, error) {
	var body []byte
	for {
		if cap(body)-len(body) < readChunkSize/2 {
			body = slices.Grow(body, readChunkSize)
		}
		m, err := src.Read(body[len(body):min(cap(body), len(body)+readChunkSize)])
		if h != nil {
			h.Write(body[len(body) : len(body)+m])
		}
		body = body[:len(body)+m]
		if errors.Is(err, io.EOF) {
			return body, nil
		}
		if err != nil {
			return nil, readError(err)
		}
	}
}

func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return errUnreadable
}

// budget is a FIFO weighted semaphore over bytes. A request for more than
// the whole budget is granted the whole budget: it runs alone.
type budget struct {
	size int64

	mu      sync.Mutex
	used    int64
	waiters list.List // of *budgetWaiter, in arrival order
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when granted
}

func newBudget(size int64) *budget { return &budget{size: size} }

// acquire waits until n bytes (at most the budget's size) are free, or ctx
// ends. It returns the amount to give back to release.
func (b *budget) acquire(ctx context.Context, n int64) (int64, error) {
	n = min(n, b.size)
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.size-b.used >= n {
		b.used += n
		b.mu.Unlock()
		return n, nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()

	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready:
		// Granted while giving up: give it back.
		b.used -= n
	default:
		b.waiters.Remove(elem)
	}
	b.grant()
	return 0, ctx.Err()
}

// release gives back n bytes taken by acquire and reports whether that
// left the budget unused, with no one waiting.
func (b *budget) release(n int64) (idle bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.grant()
	return b.used == 0 && b.waiters.Len() == 0
}

// grant wakes the waiters at the head of the queue that now fit. The
// queue is strictly FIFO so that large requests are not starved by small
// ones. b.mu must be held.
func (b *budget) grant() {
	for {
		front := b.waiters.Front()
		if front == nil {
			return
		}
		w := front.Value.(*budgetWaiter)
		if b.size-b.used < w.n {
			return
		}
		b.used += w.n
		b.waiters.Remove(front)
		close(w.ready)
	}
}
