// respond returns, as its raw output, the body of the proxy event it gets
// (base64-decoded when isBase64Encoded): the test decides what the
// function answers, valid or not.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, ev events.APIGatewayProxyRequest) (io.Reader, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, err
		}
	}
	return bytes.NewReader(body), nil
}

func main() { lambda.Start(handle) }
