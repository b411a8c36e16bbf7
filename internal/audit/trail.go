package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/store"
)

// DefaultRetention is how long events are kept: CloudTrail's Event
// history covers the last 90 days
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html).
const DefaultRetention = 90 * 24 * time.Hour

// Config configures a Trail.
type Config struct {
	// Store keeps the events; nil keeps none (Lines only).
	Store store.Store
	// Identity names the region and account in records.
	Identity Identity
	// Retention is how long events are kept; 0 means DefaultRetention.
	Retention time.Duration
	// Lines, when set, receives every record as one JSON line.
	Lines io.Writer
	Log   *slog.Logger
	// Now is the clock; nil means time.Now. NewID makes event ids; nil
	// means random UUIDs.
	Now   func() time.Time
	NewID func() string
	// Wait bounds how long Record waits for its event to be stored (a
	// store that is down delays management calls by no more); 0 means 2 s.
	Wait time.Duration
}

// Trail records management calls as events (see the package doc).
type Trail struct {
	st        store.Store
	id        Identity
	retention time.Duration
	log       *slog.Logger
	now       func() time.Time
	newID     func() string
	wait      time.Duration

	// lines is written by the writer goroutine only.
	lines *bufio.Writer

	queue   chan *pending
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	dropped, failed atomic.Int64
}

// pending is one event on its way to the store.
type pending struct {
	ev   Event
	rec  Record
	nano int64
	done chan struct{}
}

// queueSize bounds the events waiting for the store; batchSize the events
// written by one transaction.
const (
	queueSize = 4096
	batchSize = 256
)

// New starts a trail: its writer and, with a store, its retention sweeper.
// Close stops them.
func New(cfg Config) *Trail {
	t := &Trail{st: cfg.Store, id: cfg.Identity, retention: cfg.Retention, log: cfg.Log, now: cfg.Now, newID: cfg.NewID,
		wait: cfg.Wait, queue: make(chan *pending, queueSize), stop: make(chan struct{}), stopped: make(chan struct{})}
	if t.retention <= 0 {
		t.retention = DefaultRetention
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.newID == nil {
		t.newID = uuid.NewString
	}
	if t.wait <= 0 {
		t.wait = 2 * time.Second
	}
	if cfg.Lines != nil {
		t.lines = bufio.NewWriterSize(cfg.Lines, 64<<10)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); t.write() }()
	if t.st != nil {
		wg.Add(1)
		go func() { defer wg.Done(); t.sweepEvery(time.Hour) }()
	}
	go func() { wg.Wait(); close(t.stopped) }()
	return t
}

// Record turns a finished call into an event and returns once the event is
// stored (or after the wait bound: it is then stored later, or counted as
// dropped when the queue is full). Calls that are not recorded return at
// once.
func (t *Trail) Record(c Call) {
	if c.Time.IsZero() {
		c.Time = t.now()
	}
	ev, rec, ok := Build(c, t.id, t.newID())
	if !ok {
		return
	}
	p := &pending{ev: ev, rec: rec, nano: c.Time.UnixNano(), done: make(chan struct{})}
	select {
	case <-t.stop:
		t.dropped.Add(1)
		return
	default:
	}
	select {
	case t.queue <- p:
	default:
		t.dropped.Add(1)
		t.log.Warn("audit event dropped: the store is not keeping up", "eventName", ev.EventName, "requestId", c.RequestID)
		return
	}
	timer := time.NewTimer(t.wait)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
	}
}

// Dropped counts the events lost because the queue was full or the store
// refused them.
func (t *Trail) Dropped() int64 { return t.dropped.Load() + t.failed.Load() }

// Close writes what is queued and stops the trail.
func (t *Trail) Close() error {
	t.once.Do(func() { close(t.stop) })
	<-t.stopped
	return nil
}

// write is the writer goroutine: each batch of queued events is one
// transaction (group commit), then JSON lines.
func (t *Trail) write() {
	for {
		var first *pending
		select {
		case first = <-t.queue:
		case <-t.stop:
			for {
				batch := t.drain(nil)
				if len(batch) == 0 {
					return
				}
				t.commit(batch)
			}
		}
		t.commit(t.drain([]*pending{first}))
	}
}

// drain adds what is queued to batch, up to batchSize.
func (t *Trail) drain(batch []*pending) []*pending {
	for len(batch) < batchSize {
		select {
		case p := <-t.queue:
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

func (t *Trail) commit(batch []*pending) {
	if t.st != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := t.st.Update(ctx, func(tx store.Tx) error {
			for _, p := range batch {
				b, err := json.Marshal(p.ev)
				if err != nil {
					return err
				}
				if err := tx.Put(ctx, eventKey(p.nano, p.ev.EventID), b); err != nil {
					return err
				}
				for _, k := range indexKeys(p.ev, p.nano) {
					if err := tx.Put(ctx, k, nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		cancel()
		if err != nil {
			t.failed.Add(int64(len(batch)))
			t.log.Error("audit events not stored", "events", len(batch), "err", err)
		}
	}
	if t.lines != nil {
		for _, p := range batch {
			b, err := json.Marshal(p.rec)
			if err == nil {
				_, _ = t.lines.Write(append(b, '\n'))
			}
		}
		if err := t.lines.Flush(); err != nil {
			t.log.Warn("audit log output failed", "err", err)
		}
	}
	for _, p := range batch {
		close(p.done)
	}
}

// Keys. Events: "audit/e/{inverted time}/{id}", so that key order is
// newest first; the inverted time is MaxInt64 minus the Unix nanoseconds,
// in 19 digits. Index: "audit/a/{attribute}/{escaped value}/{inverted
// time}/{id}", one per lookup attribute value of the event (values are
// path-escaped, so they hold no "/").
const (
	prefixEvents = "audit/e/"
	prefixIndex  = "audit/a/"
)

func inverted(nano int64) string { return fmt.Sprintf("%019d", math.MaxInt64-nano) }

func eventKey(nano int64, id string) string { return prefixEvents + inverted(nano) + "/" + id }

func indexPrefix(attr, value string) string {
	return prefixIndex + attr + "/" + url.PathEscape(value) + "/"
}

// Lookup attribute keys (CloudTrail's LookupAttributeKey enum).
const (
	AttrEventID      = "EventId"
	AttrEventName    = "EventName"
	AttrReadOnly     = "ReadOnly"
	AttrUsername     = "Username"
	AttrResourceType = "ResourceType"
	AttrResourceName = "ResourceName"
	AttrEventSource  = "EventSource"
	AttrAccessKeyID  = "AccessKeyId"
)

// indexKeys are the index entries of ev.
func indexKeys(ev Event, nano int64) []string {
	tail := inverted(nano) + "/" + ev.EventID
	keys := []string{
		indexPrefix(AttrEventID, ev.EventID) + tail,
		indexPrefix(AttrEventName, ev.EventName) + tail,
		indexPrefix(AttrReadOnly, ev.ReadOnly) + tail,
		indexPrefix(AttrUsername, ev.Username) + tail,
		indexPrefix(AttrEventSource, ev.EventSource) + tail,
	}
	if ev.AccessKeyID != "" {
		keys = append(keys, indexPrefix(AttrAccessKeyID, ev.AccessKeyID)+tail)
	}
	seen := map[string]bool{}
	for _, r := range ev.Resources {
		for _, k := range []string{indexPrefix(AttrResourceType, r.ResourceType) + tail, indexPrefix(AttrResourceName, r.ResourceName) + tail} {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// sweepEvery runs Sweep now and then every interval until Close.
func (t *Trail) sweepEvery(interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-t.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		if n, err := t.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.log.Warn("audit retention sweep failed", "err", err)
		} else if n > 0 {
			t.log.Info("audit events past retention deleted", "events", n)
		}
		cancel()
		select {
		case <-tick.C:
		case <-t.stop:
			return
		}
	}
}

// Sweep deletes the events older than the retention and returns how many.
func (t *Trail) Sweep(ctx context.Context) (int, error) {
	if t.st == nil {
		return 0, nil
	}
	cutoff := t.now().Add(-t.retention).UnixNano()
	// Older events have larger inverted times: they sort after this key.
	after := prefixEvents + inverted(cutoff) + "0"
	total := 0
	for {
		var items []store.Item
		err := t.st.View(ctx, func(r store.Reader) error {
			var err error
			items, err = r.List(ctx, prefixEvents, store.ListOptions{After: after, Limit: batchSize})
			return err
		})
		if err != nil || len(items) == 0 {
			return total, err
		}
		_, err = t.st.Update(ctx, func(tx store.Tx) error {
			for _, it := range items {
				nano, _, ok := parseTail(it.Key[len(prefixEvents):])
				keys := []string{it.Key}
				var ev Event
				if ok && json.Unmarshal(it.Value, &ev) == nil {
					keys = append(keys, indexKeys(ev, nano)...)
				}
				for _, k := range keys {
					if err := tx.Delete(ctx, k); err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(items)
		if len(items) < batchSize {
			return total, nil
		}
	}
}
