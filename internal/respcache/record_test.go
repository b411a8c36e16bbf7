package respcache

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/secret"
)

func TestRecordRoundTrip(t *testing.T) {
	box := testBox(t)
	e := &Entry{Status: 201, Headers: [][2]string{{"A", "1"}, {"A", "2"}}, Body: []byte("a secret body")}
	exp := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, encrypt := range []bool{false, true} {
		rec, err := EncodeRecord("key", e, exp, box, encrypt)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := RecordExpires(rec); err != nil || !got.Equal(exp) {
			t.Errorf("RecordExpires = %v, %v; want %v", got, err, exp)
		}
		got, gotExp, err := DecodeRecord("key", rec, box)
		if err != nil || !equalEntry(got, e) || !gotExp.Equal(exp) {
			t.Errorf("encrypt=%v: DecodeRecord = %+v, %v, %v", encrypt, got, gotExp, err)
		}
		if contains := bytes.Contains(rec, e.Body); contains == encrypt {
			t.Errorf("encrypt=%v: record contains the body: %v", encrypt, contains)
		}
	}
}

func TestRecordRejects(t *testing.T) {
	box := testBox(t)
	other, _ := secret.New(bytes.Repeat([]byte{1}, secret.KeySize))
	e := &Entry{Status: 200, Body: []byte("body")}
	exp := time.Unix(1000, 0)
	sealed, err := EncodeRecord("key", e, exp, box, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeRecord("key", e, exp, nil, true); !errors.Is(err, ErrNoBox) {
		t.Errorf("EncodeRecord without a box: %v, want ErrNoBox", err)
	}
	if _, _, err := DecodeRecord("key", sealed, nil); !errors.Is(err, ErrNoBox) {
		t.Errorf("DecodeRecord without a box: %v, want ErrNoBox", err)
	}
	if _, _, err := DecodeRecord("key", sealed, other); !errors.Is(err, secret.ErrDecrypt) {
		t.Errorf("another key: %v, want secret.ErrDecrypt", err)
	}
	if _, _, err := DecodeRecord("other", sealed, box); !errors.Is(err, ErrCorrupt) {
		t.Errorf("record moved to another key: %v, want ErrCorrupt", err)
	}
	later := bytes.Clone(sealed)
	later[8]++
	if _, _, err := DecodeRecord("key", later, box); !errors.Is(err, ErrCorrupt) {
		t.Errorf("expiry extended: %v, want ErrCorrupt", err)
	}
	for name, rec := range map[string][]byte{
		"empty":        nil,
		"short":        {recordPlain, 0, 0},
		"unknown kind": append([]byte{9}, sealed[1:]...),
		"plain junk":   {recordPlain, 0, 0, 0, 0, 0, 0, 0, 0, 7},
	} {
		if _, _, err := DecodeRecord("key", rec, box); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := RecordExpires([]byte{recordSealed}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("RecordExpires of a short record: %v", err)
	}
}

func TestExpirySaturates(t *testing.T) {
	now := time.Unix(0, math.MaxInt64-10)
	if got := expiry(now, time.Hour); got != math.MaxInt64 {
		t.Errorf("expiry near the end of time = %d, want MaxInt64", got)
	}
	if got := expiry(time.Unix(10, 0), time.Second); got != 11e9 {
		t.Errorf("expiry = %d", got)
	}
}
