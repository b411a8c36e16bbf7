package xray

import (
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"
)

func mustTraceID(s string) TraceID {
	var id TraceID
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		panic(err)
	}
	return id
}

// TestParseHeader: AWS's documented header, Lambda's lower-case keys,
// spaces and unknown keys (Self, Lineage) are read; a Root of the wrong
// version or length is no Root.
func TestParseHeader(t *testing.T) {
	want := mustTraceID("5759e988bd862e3fe1be46a994272793")
	for _, tc := range []struct {
		in      string
		ok      bool
		parent  string
		sampled Sampling
	}{
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", true, "53995c3f42cd8ad8", SamplingYes},
		{"root=1-5759e988-bd862e3fe1be46a994272793;parent=53995c3f42cd8ad8;sampled=0", true, "53995c3f42cd8ad8", SamplingNo},
		{"Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?", true, "", SamplingRequested},
		{" Root = 1-5759e988-bd862e3fe1be46a994272793 ; Lineage=b7b1ca60:0", true, "", SamplingUnknown},
		{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz", true, "", SamplingUnknown},
		{"Root=2-5759e988-bd862e3fe1be46a994272793", false, "", 0},
		{"Root=1-5759e988-bd862e3fe1be46a99427279", false, "", 0},
		{"Root=1-5759e98g-bd862e3fe1be46a994272793", false, "", 0},
		{"Root=1-00000000-000000000000000000000000", false, "", 0},
		{"Parent=53995c3f42cd8ad8;Sampled=1", false, "", 0},
		{"", false, "", 0},
	} {
		h, ok := ParseHeader(tc.in)
		if ok != tc.ok {
			t.Errorf("%q: ok %v", tc.in, ok)
			continue
		}
		if !ok {
			continue
		}
		if h.Root != want {
			t.Errorf("%q: root %x", tc.in, h.Root)
		}
		if got := ""; h.Parent.IsValid() {
			got = hex.EncodeToString(h.Parent[:])
			if got != tc.parent {
				t.Errorf("%q: parent %s", tc.in, got)
			}
		} else if tc.parent != "" {
			t.Errorf("%q: no parent", tc.in)
		}
		if h.Sampled != tc.sampled {
			t.Errorf("%q: sampled %v", tc.in, h.Sampled)
		}
	}
}

// TestNewAndAppend: a new trace id carries the time in its first 8 hex
// digits; the header forms are AWS's and parse back.
func TestNewAndAppend(t *testing.T) {
	at := time.Unix(0x5759e988, 0)
	id := NewTraceID(at)
	root := string(AppendRoot(nil, id))
	if !regexp.MustCompile(`^1-5759e988-[0-9a-f]{24}$`).MatchString(root) {
		t.Fatalf("root %q", root)
	}
	if got := string(AppendRootHeader(nil, id)); got != "Root="+root {
		t.Errorf("root header %q", got)
	}
	sid := NewSpanID()
	full := string(AppendHeader(nil, id, sid, true))
	if len(full) != HeaderLen || !strings.HasSuffix(full, ";Sampled=1") {
		t.Errorf("header %q", full)
	}
	h, ok := ParseHeader(full)
	if !ok || h.Root != id || h.Parent != sid || h.Sampled != SamplingYes {
		t.Errorf("parsed back %+v %v", h, ok)
	}
	tp := string(AppendTraceparent(nil, id, sid, false))
	if len(tp) != TraceparentLen || tp != "00-"+hex.EncodeToString(id[:])+"-"+hex.EncodeToString(sid[:])+"-00" {
		t.Errorf("traceparent %q", tp)
	}
}

// TestComplete: what a Lambda runtime receives always has a Parent and a
// decision; the caller's Root is kept, a complete header unchanged.
func TestComplete(t *testing.T) {
	now := time.Unix(0x5759e988, 0)
	full := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	if got := Complete(full, now); got != full {
		t.Errorf("complete header changed: %q", got)
	}
	got := Complete("Root=1-5759e988-bd862e3fe1be46a994272793", now)
	if !regexp.MustCompile(`^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got) {
		t.Errorf("root only: %q", got)
	}
	got = Complete("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?", now)
	if got != "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0" {
		t.Errorf("deferred decision: %q", got)
	}
	got = Complete("garbage", now)
	if !regexp.MustCompile(`^Root=1-5759e988-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got) {
		t.Errorf("garbage: %q", got)
	}
}

// TestParseTraceparent follows W3C Trace Context's rules.
func TestParseTraceparent(t *testing.T) {
	const good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	id, parent, sampled, ok := ParseTraceparent(good)
	if !ok || !sampled || hex.EncodeToString(id[:]) != "4bf92f3577b34da6a3ce929d0e0e4736" || hex.EncodeToString(parent[:]) != "00f067aa0ba902b7" {
		t.Fatalf("%q: %x %x %v %v", good, id, parent, sampled, ok)
	}
	if _, _, sampled, ok := ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"); !ok || sampled {
		t.Errorf("unsampled: %v %v", sampled, ok)
	}
	if _, _, _, ok := ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later"); !ok {
		t.Error("a later version with more fields is read")
	}
	for _, bad := range []string{
		"",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
		"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	} {
		if _, _, _, ok := ParseTraceparent(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
