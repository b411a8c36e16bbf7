package logs

import (
	"sync"
	"sync/atomic"
	"time"
)

// Writer takes the gateway's own log events (access logs, execution logs,
// function output) off the request path: Write never blocks and never
// waits for the store; a goroutine stores what is queued in batches. When
// the queue is full the event is dropped and counted.
type Writer struct {
	store   *Store
	queue   chan Entry
	dropped atomic.Int64
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// WriterQueue is how many events may wait for the store.
const WriterQueue = 16384

// writerBatch bounds the events stored by one lock of the store.
const writerBatch = 1024

// NewWriter starts a writer into s; Close stops it.
func NewWriter(s *Store) *Writer {
	w := &Writer{store: s, queue: make(chan Entry, WriterQueue), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// Write queues one event; it reports false (and counts a drop) when the
// queue is full or the writer is closed.
func (w *Writer) Write(e Entry) bool {
	select {
	case <-w.stop:
		w.dropped.Add(1)
		return false
	default:
	}
	select {
	case w.queue <- e:
		return true
	default:
		w.dropped.Add(1)
		return false
	}
}

// Log queues one event (the shape the Lambda runtime logs through).
func (w *Writer) Log(group, stream string, at time.Time, message string) {
	w.Write(Entry{Group: group, Stream: stream, Input: Input{Timestamp: at.UnixMilli(), Message: message}})
}

// Dropped counts the events dropped so far.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }

// Close stores what is queued and stops the writer.
func (w *Writer) Close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

func (w *Writer) run() {
	defer close(w.done)
	batch := make([]Entry, 0, writerBatch)
	for {
		select {
		case e := <-w.queue:
			batch = append(batch[:0], e)
		case <-w.stop:
			for {
				batch = w.drain(batch[:0])
				if len(batch) == 0 {
					return
				}
				w.store.Append(batch)
			}
		}
		batch = w.drain(batch)
		w.store.Append(batch)
	}
}

// drain adds what is queued to batch, up to writerBatch.
func (w *Writer) drain(batch []Entry) []Entry {
	for len(batch) < writerBatch {
		select {
		case e := <-w.queue:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}
