package proxyevent

import (
	"sync/atomic"
	"time"
)

// clfLayout is requestContext.time's format: "12/Mar/2020:19:03:58 +0000".
const clfLayout = "02/Jan/2006:15:04:05 -0700"

type clfText struct {
	sec  int64
	text []byte
}

// lastCLF caches the text of the latest second: every event carries it.
var lastCLF atomic.Pointer[clfText]

// AppendRequestTime appends t in UTC in API Gateway's request time format
// ($context.requestTime, requestContext.time), to the second.
func AppendRequestTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if c := lastCLF.Load(); c != nil && c.sec == sec {
		return append(dst, c.text...)
	}
	c := &clfText{sec: sec, text: t.UTC().AppendFormat(nil, clfLayout)}
	lastCLF.Store(c)
	return append(dst, c.text...)
}
