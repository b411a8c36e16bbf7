package respcache

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"testing"
)

func TestEntryRoundTrip(t *testing.T) {
	for _, e := range []*Entry{
		{},
		{Status: 200},
		{Status: -1},
		{Status: math.MaxInt32},
		{Status: 200, Headers: [][2]string{{"A", "1"}, {"a", "2"}, {"A", "3"}, {"", ""}}},
		{Status: 500, Body: []byte{0, 1, 2, 0xff}},
		{Status: 200, Headers: [][2]string{{"K", string(make([]byte, 300))}}, Body: bytes.Repeat([]byte("x"), 70000)},
	} {
		data := MarshalEntry(e)
		if len(data) != entrySize(e) {
			t.Errorf("entrySize = %d, encoding has %d bytes", entrySize(e), len(data))
		}
		got, err := UnmarshalEntry(data)
		if err != nil {
			t.Fatalf("UnmarshalEntry(MarshalEntry(%+v)): %v", e, err)
		}
		if !equalEntry(got, e) {
			t.Errorf("round trip: got %+v, want %+v", got, e)
		}
		if len(got.Body) > 0 && cap(got.Body) != len(got.Body) {
			t.Errorf("body capacity %d exceeds its length %d: an append would write into the stored bytes", cap(got.Body), len(got.Body))
		}
	}
}

// TestEntryGolden freezes the version 1 format: stored data must stay
// readable across releases (and across Redis-backed instances).
func TestEntryGolden(t *testing.T) {
	e := &Entry{Status: 200, Headers: [][2]string{{"A", "b"}, {"A", ""}}, Body: []byte("hi")}
	const want = "01" + "9003" + "02" + "0141" + "0162" + "0141" + "00" + "02" + "6869"
	if got := hex.EncodeToString(MarshalEntry(e)); got != want {
		t.Errorf("MarshalEntry = %s, want %s", got, want)
	}
}

func TestUnmarshalAliases(t *testing.T) {
	data := MarshalEntry(&Entry{Status: 200, Headers: [][2]string{{"A", "b"}}, Body: []byte("body")})
	e, err := UnmarshalEntry(data)
	if err != nil {
		t.Fatal(err)
	}
	if &e.Body[0] != &data[len(data)-4] {
		t.Error("the body was copied; it should alias the data")
	}
	data[3] = 'Z' // header name
	if e.Headers[0][0] != "A" {
		t.Error("header strings alias the data")
	}
}

func TestUnmarshalRejects(t *testing.T) {
	valid := MarshalEntry(&Entry{Status: 200, Headers: [][2]string{{"A", "b"}}, Body: []byte("hi")})
	for name, data := range map[string][]byte{
		"empty":           nil,
		"version 0":       {0, 0, 0, 0},
		"version 2":       {2, 0, 0, 0},
		"only version":    {1},
		"truncated":       valid[:len(valid)-1],
		"trailing":        append(append([]byte{}, valid...), 0),
		"no body length":  {1, 0, 0},
		"non-minimal":     {1, 0x80, 0x00, 0, 0},
		"overflow":        {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0},
		"huge count":      {1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0},
		"header too long": {1, 0, 1, 5, 'a', 0, 0},
		"body too long":   {1, 0, 0, 5, 'a'},
	} {
		if e, err := UnmarshalEntry(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: UnmarshalEntry(%x) = %+v, %v; want ErrCorrupt", name, data, e, err)
		}
	}
}

func FuzzUnmarshalEntry(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0})
	f.Add(MarshalEntry(&Entry{Status: 200, Headers: [][2]string{{"A", "b"}, {"A", ""}}, Body: []byte("hi")}))
	f.Add(MarshalEntry(&Entry{Status: -7, Body: bytes.Repeat([]byte{0}, 200)}))
	f.Add([]byte{1, 0x80, 0x00, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		e, err := UnmarshalEntry(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// The encoding is canonical: re-encoding gives the same bytes.
		again := MarshalEntry(e)
		if !bytes.Equal(again, orig) {
			t.Fatalf("MarshalEntry(UnmarshalEntry(%x)) = %x", orig, again)
		}
		e2, err := UnmarshalEntry(again)
		if err != nil || !equalEntry(e, e2) {
			t.Fatalf("second round trip: %+v, %v; want %+v", e2, err, e)
		}
	})
}
