package model

// Record is how every document is stored: the wire-shaped value plus a
// creation stamp that orders listings (AWS lists most collections in
// creation order).
type Record[T any] struct {
	Seq int64 `json:"seq"`
	V   T     `json:"v"`
}
