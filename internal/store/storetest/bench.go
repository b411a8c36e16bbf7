package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

// RunBenchmarks measures the write and read paths of a Store: Update of
// 1, 10 and 100 documents, Get (serial and parallel) among 10,000
// documents, and List of a 100-document prefix. open returns a new, empty
// store, closed by the caller's cleanup.
func RunBenchmarks(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("Update", func(b *testing.B) { benchUpdate(b, open) })
	b.Run("Get", func(b *testing.B) { benchGet(b, open) })
	b.Run("List", func(b *testing.B) { benchList(b, open) })
}

var benchValue = []byte(`{"id":"abc123","name":"petstore","description":"a typical REST API document of a few hundred bytes","endpointConfiguration":{"types":["REGIONAL"]},"tags":{"team":"payments","env":"prod"},"createdDate":1700000000}`)

// fill writes apis × perAPI resource documents, 500 per transaction.
func fill(b *testing.B, s store.Store, apis, perAPI int) {
	b.Helper()
	ctx := context.Background()
	for a := range apis {
		for start := 0; start < perAPI; start += 500 {
			_, err := s.Update(ctx, func(tx store.Tx) error {
				for r := start; r < min(start+500, perAPI); r++ {
					if err := tx.Put(ctx, fmt.Sprintf("resource/api%04d/res%05d", a, r), benchValue); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchUpdate(b *testing.B, open func(b *testing.B) store.Store) {
	for _, keys := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			s := open(b)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				_, err := s.Update(ctx, func(tx store.Tx) error {
					for k := range keys {
						if err := tx.Put(ctx, fmt.Sprintf("bench/%d/%d", i%1000, k), benchValue); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func benchGet(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	fill(b, s, 100, 100)
	ctx := context.Background()
	get := func(i int) {
		key := fmt.Sprintf("resource/api%04d/res%05d", i%100, (i/100)%100)
		err := s.View(ctx, func(r store.Reader) error {
			_, err := r.Get(ctx, key)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			get(i)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				get(i)
				i++
			}
		})
	})
}

func benchList(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	fill(b, s, 100, 100) // 10,000 documents, 100 per prefix
	ctx := context.Background()
	for _, limit := range []int{0, 10} {
		b.Run(fmt.Sprintf("prefix=100/limit=%d", limit), func(b *testing.B) {
			want := limit
			if limit == 0 {
				want = 100
			}
			i := 0
			for b.Loop() {
				prefix := fmt.Sprintf("resource/api%04d/", i%100)
				err := s.View(ctx, func(r store.Reader) error {
					items, err := r.List(ctx, prefix, store.ListOptions{Limit: limit})
					if err == nil && len(items) != want {
						err = fmt.Errorf("%d items, want %d", len(items), want)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
