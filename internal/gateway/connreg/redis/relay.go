package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
)

// message is what travels on a node's channel: a call (K "call", with
// the caller's node F and the call C) or an answer (K "answer", with the
// outcome S).
type message struct {
	K string        `json:"k"`
	R string        `json:"r"`
	F string        `json:"f,omitempty"`
	C *connreg.Call `json:"c,omitempty"`
	S string        `json:"s,omitempty"`
}

// Outcomes of a call.
const (
	answerDone  = "done"
	answerGone  = "gone"
	answerError = "error"
)

// republishEvery is the pause before publishing a call again to a node
// whose lease is live but which did not listen.
const republishEvery = 50 * time.Millisecond

// publish publishes msg on node's channel and returns how many
// subscribers received it.
func (s *Shared) publish(ctx context.Context, node string, msg *message) (int64, error) {
	b, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("connreg: relay: %w", err)
	}
	var n int64
	err = s.do(ctx, "publish", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		n, err = rc.Do(ctx, rc.B().Publish().Channel(s.channels+node).Message(string(b)).Build()).AsInt64()
		return err
	})
	return n, err
}

// Deliver implements connreg.Relay (see the package doc).
func (s *Shared) Deliver(ctx context.Context, node string, call connreg.Call) error {
	deadline := time.Now().Add(s.o.CallTimeout)
	req := s.o.Node + "/" + strconv.FormatUint(s.seq.Add(1), 10)
	answer := make(chan string, 1)
	s.mu.Lock()
	s.pending[req] = answer
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, req)
		s.mu.Unlock()
	}()
	msg := &message{K: "call", R: req, F: s.o.Node, C: &call}
	for {
		n, err := s.publish(ctx, node, msg)
		if err != nil {
			return err
		}
		if n > 0 {
			t := time.NewTimer(time.Until(deadline))
			select {
			case a := <-answer:
				t.Stop()
				switch a {
				case answerDone:
					return nil
				case answerGone:
					return connreg.ErrNotFound
				}
				return fmt.Errorf("connreg: relay: node %s failed the call", node)
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		// Nobody listens on node's channel (it died, or it is between two
		// subscriptions), or it did not answer in time: its lease decides.
		live, err := s.live(ctx, node)
		if err != nil {
			return err
		}
		if !live {
			return connreg.ErrNotFound
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("connreg: relay: node %s: %w within %v", node, connreg.ErrNoAnswer, s.o.CallTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(republishEvery):
		}
	}
}

// Serve implements connreg.Relay: it writes this node's lease every
// LeaseTTL/5 (and the records it owes Redis), and performs the calls
// published on its channel, until ctx ends; then it removes the lease.
func (s *Shared) Serve(ctx context.Context, holder connreg.Holder) error {
	leased := make(chan struct{})
	go s.keepLease(ctx, holder, leased)
	subscribed := make(chan struct{})
	var once sync.Once
	hook := func(sub rueidis.PubSubSubscription) {
		if sub.Kind == "subscribe" {
			once.Do(func() { close(subscribed) })
		}
	}
	go func() {
		select {
		case <-leased:
		case <-ctx.Done():
			return
		}
		select {
		case <-subscribed:
			s.readyOnce.Do(func() { close(s.ready) })
		case <-ctx.Done():
		}
	}()
	rc := s.c.Rueidis()
	channel := s.channels + s.o.Node
	var failing bool
	for ctx.Err() == nil {
		start := time.Now()
		err := rc.Receive(rueidis.WithOnSubscriptionHook(ctx, hook), rc.B().Subscribe().Channel(channel).Build(),
			func(m rueidis.PubSubMessage) { s.received(ctx, holder, m.Message) })
		if ctx.Err() != nil {
			break
		}
		if time.Since(start) > time.Second {
			failing = false // it had been listening
		}
		if !failing {
			// Once per outage: the lease's log says when it is over.
			failing = true
			s.o.Log.Warn("websocket relay: not listening for calls from other nodes; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	// Leaving: the others answer gone for this node's connections at once.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = s.do(lctx, "drop lease", func(ctx context.Context, rc rueidis.Client) error {
		return rc.Do(ctx, rc.B().Del().Key(s.leaseKeys+s.o.Node).Build()).Error()
	})
	return nil
}

// received handles a message on this node's channel; it runs on the
// client's reading goroutine, so it does not wait.
func (s *Shared) received(ctx context.Context, holder connreg.Holder, raw string) {
	var m message
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		s.o.Log.Warn("websocket relay: unreadable message", "err", err)
		return
	}
	switch {
	case m.K == "answer":
		s.mu.Lock()
		ch := s.pending[m.R]
		s.mu.Unlock()
		if ch != nil {
			select {
			case ch <- m.S:
			default:
			}
		}
	case m.K == "call" && m.C != nil && m.F != "":
		go s.perform(ctx, holder, &m)
	}
}

// perform performs a call and publishes the answer to its caller.
func (s *Shared) perform(ctx context.Context, holder connreg.Holder, m *message) {
	cctx, cancel := context.WithTimeout(ctx, s.o.CallTimeout)
	err := holder.Handle(cctx, *m.C)
	cancel()
	a := answerDone
	switch {
	case errors.Is(err, connreg.ErrNotFound):
		a = answerGone
	case err != nil:
		a = answerError
		s.o.Log.Warn("websocket relay: call failed", "connectionId", m.C.ID, "op", m.C.Op, "err", err)
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.CallTimeout)
	defer cancel()
	if _, err := s.publish(actx, m.F, &message{K: "answer", R: m.R, S: a}); err != nil {
		s.o.Log.Warn("websocket relay: answer not sent", "to", m.F, "err", err)
	}
}

// keepLease writes this node's lease every LeaseTTL/5 until ctx ends,
// closing leased after the first write. When the lease had lapsed, or a
// write of this node's failed, it writes the node's records again.
func (s *Shared) keepLease(ctx context.Context, holder connreg.Holder, leased chan struct{}) {
	tick := time.NewTicker(s.o.LeaseTTL / 5)
	defer tick.Stop()
	first, failing := true, false
	for {
		err := s.beat(ctx, holder)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			failing = true
			s.o.Log.Warn("websocket connection registry: this node's lease cannot be written; other nodes answer GoneException for its connections once it lapses, until Redis answers again",
				"lease", s.o.LeaseTTL, "err", err)
		case err == nil && failing:
			failing = false
			s.o.Log.Info("websocket connection registry: lease written again; this node's connections are recorded")
		}
		if err == nil && first {
			first = false
			close(leased)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// beat writes the lease once, then what this node owes Redis.
func (s *Shared) beat(ctx context.Context, holder connreg.Holder) error {
	var existed int64
	err := s.do(ctx, "write lease", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		existed, err = writeLease.Exec(ctx, rc, []string{s.leaseKeys + s.o.Node},
			[]string{strconv.FormatInt(s.o.LeaseTTL.Milliseconds(), 10)}).AsInt64()
		return err
	})
	if err != nil {
		return err
	}
	if existed == 0 || s.resync.Swap(false) {
		records := holder.Records()
		if err := s.rewrite(ctx, records); err != nil {
			s.resync.Store(true)
			return err
		}
		// A connection that ended while its record was written again
		// would stay recorded: it is removed (again).
		still := map[string]bool{}
		for _, r := range holder.Records() {
			still[r.ID] = true
		}
		for _, r := range records {
			if !still[r.ID] {
				s.staleMu.Lock()
				s.stale[r.ID] = struct{}{}
				s.staleMu.Unlock()
			}
		}
	}
	s.staleMu.Lock()
	ids := make([]string, 0, len(s.stale))
	for id := range s.stale {
		ids = append(ids, id)
	}
	clear(s.stale)
	s.staleMu.Unlock()
	for _, id := range ids {
		if err := s.Remove(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// rewriteBatch is how many records one pipeline writes again.
const rewriteBatch = 1000

// rewrite writes records again, in pipelines of rewriteBatch.
func (s *Shared) rewrite(ctx context.Context, records []*connreg.Record) error {
	for len(records) > rewriteBatch {
		if err := s.rewrite(ctx, records[:rewriteBatch]); err != nil {
			return err
		}
		records = records[rewriteBatch:]
	}
	if len(records) == 0 {
		return nil
	}
	execs := make([]rueidis.LuaExec, 0, len(records))
	for _, r := range records {
		keys, args, err := s.addArgs(r)
		if err != nil {
			return err
		}
		execs = append(execs, rueidis.LuaExec{Keys: keys, Args: args})
	}
	return s.do(ctx, "record connections again", func(ctx context.Context, rc rueidis.Client) error {
		for _, r := range addRecord.ExecMulti(ctx, rc, execs...) {
			if err := r.Error(); err != nil {
				return err
			}
		}
		return nil
	})
}
