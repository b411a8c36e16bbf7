// Command streamer is a test runtime that answers in Lambda's streaming
// response mode (Lambda-Runtime-Function-Response-Mode: streaming, a
// chunked POST with error trailers declared), written against the Runtime
// API by hand. Its event says what to send:
//
//	{"chunks": ["a", "b"],      // written one by one, each flushed
//	 "contentType": "text/plain",
//	 "waitFile": "/path",       // after the first chunk, wait until this file exists
//	 "failType": "Oops",        // end with error trailers of this type
//	 "crash": true,             // exit (status 3) after the chunks
//	 "hang": true,              // stop writing after the chunks, never end
//	 "repeat": 1048576}         // then write this many more bytes of 'x'
//
// After the body it reports the status the Runtime API gave its POST on
// stdout ("posted=<status>").
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

var base = "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"

type event struct {
	Chunks      []string `json:"chunks"`
	ContentType string   `json:"contentType"`
	WaitFile    string   `json:"waitFile"`
	FailType    string   `json:"failType"`
	Crash       bool     `json:"crash"`
	Hang        bool     `json:"hang"`
	Repeat      int      `json:"repeat"`
}

func main() {
	for {
		resp, err := http.Get(base + "/invocation/next")
		if err != nil {
			panic(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var ev event
		_ = json.Unmarshal(raw, &ev)
		serve(id, ev)
	}
}

func serve(id string, ev event) {
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/invocation/"+id+"/response", pr)
	req.ContentLength = -1
	req.Header.Set("Lambda-Runtime-Function-Response-Mode", "streaming")
	ct := ev.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	req.Header.Set("Content-Type", ct)
	req.Trailer = http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
	done := make(chan int)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		done <- res.StatusCode
	}()
	for i, c := range ev.Chunks {
		if _, err := pw.Write([]byte(c)); err != nil {
			break
		}
		if i == 0 && ev.WaitFile != "" {
			for {
				if _, err := os.Stat(ev.WaitFile); err == nil {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	if ev.Repeat > 0 {
		_, _ = io.Copy(pw, io.LimitReader(repeatX{}, int64(ev.Repeat)))
	}
	if ev.Crash {
		time.Sleep(200 * time.Millisecond) // let the chunks go out first
		os.Exit(3)
	}
	if ev.Hang {
		select {}
	}
	if ev.FailType != "" {
		doc, _ := json.Marshal(map[string]any{"errorType": ev.FailType, "errorMessage": "failed half-way", "trace": []string{}})
		req.Trailer.Set("Lambda-Runtime-Function-Error-Type", ev.FailType)
		req.Trailer.Set("Lambda-Runtime-Function-Error-Body", base64.StdEncoding.EncodeToString(doc))
	}
	pw.Close()
	fmt.Printf("posted=%d\n", <-done)
}

type repeatX struct{}

func (repeatX) Read(p []byte) (int, error) {
	copy(p, strings.Repeat("x", len(p)))
	return len(p), nil
}
