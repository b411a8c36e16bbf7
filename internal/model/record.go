package model

// Record is how every document is stored: the wire-shaped value plus a
// creation stamp that orders listings (AWS lists most collections in
// creation order).
type Record[T any] struct {
	// Seq orders records by creation: it grows with every record created
	// and is kept when the record is updated.
	Seq int64 `json:"seq"`
	// V is the document itself.
	V T `json:"v"`
}
