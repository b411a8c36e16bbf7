package respcache

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func benchEntry() *Entry {
	return &Entry{
		Status:  200,
		Headers: [][2]string{{"Content-Type", "application/json"}, {"X-Amzn-Trace-Id", "Root=1-5e1b4151-5ac6c58f5b5dbd6a2d4f3c1e"}},
		Body:    make([]byte, 100),
	}
}

func BenchmarkMemoryGet(b *testing.B) {
	ctx := context.Background()
	for _, encrypt := range []bool{false, true} {
		name := "plain"
		if encrypt {
			name = "encrypted"
		}
		b.Run(name, func(b *testing.B) {
			m := NewMemory(512<<20, testBox(b))
			for i := range 1000 {
				if err := m.Set(ctx, fmt.Sprint(i), benchEntry(), time.Hour, encrypt, now0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, err := m.Get(ctx, "500", now0); !ok || err != nil {
					b.Fatal("miss", err)
				}
			}
		})
	}
}

func BenchmarkMemoryGetParallel(b *testing.B) {
	ctx := context.Background()
	m := NewMemory(512<<20, nil)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = Key("res", "GET", []string{fmt.Sprint(i)})
		m.Set(ctx, keys[i], benchEntry(), time.Hour, false, now0)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.Get(ctx, keys[i%len(keys)], now0)
			i++
		}
	})
}

func BenchmarkMemorySet(b *testing.B) {
	ctx := context.Background()
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprint(i)
	}
	for _, encrypt := range []bool{false, true} {
		name := "plain"
		if encrypt {
			name = "encrypted"
		}
		b.Run(name, func(b *testing.B) {
			// Small enough that steady state evicts on most Sets.
			m := NewMemory(1<<20, testBox(b))
			e := benchEntry()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := m.Set(ctx, keys[i%len(keys)], e, time.Hour, encrypt, now0); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
