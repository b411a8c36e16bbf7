// wschat is a WebSocket API function written against aws-lambda-go's
// events.APIGatewayWebsocketProxyRequest. It calls its connections back
// through the @connections API at the endpoint its event gives,
// {scheme}://{requestContext.domainName}/{requestContext.stage}, signed
// with aws-sdk-go-v2's SigV4 signer and the credentials Lambda gives it
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). CALLBACK_SCHEME picks the
// scheme (https by default, as on AWS); EVENT_LOG, when set, is a file
// each event is appended to (one JSON line), for tests to read.
//
//	$connect       accepts; ?refuse=NNN answers statusCode NNN; chooses
//	               the first subprotocol offered
//	{"action":"echo", …}    posts {"event": the event as decoded} back
//	{"action":"info"}       posts GetConnection's answer back
//	{"action":"kick"}       DeleteConnection on itself
//	{"action":"gone"}       posts to a connection that does not exist and
//	                        posts back the status it got
//	$default       posts {"default": body} back
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

func handle(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	if p := os.Getenv("EVENT_LOG"); p != "" {
		b, _ := json.Marshal(ev)
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			f.Write(append(b, '\n'))
			f.Close()
		}
	}
	rc := ev.RequestContext
	switch rc.EventType {
	case "CONNECT":
		if s, err := strconv.Atoi(ev.QueryStringParameters["refuse"]); err == nil {
			return events.APIGatewayProxyResponse{StatusCode: s, Body: "refused"}, nil
		}
		resp := events.APIGatewayProxyResponse{StatusCode: 200}
		for k, v := range ev.Headers {
			if strings.EqualFold(k, "Sec-WebSocket-Protocol") {
				resp.Headers = map[string]string{"Sec-WebSocket-Protocol": strings.TrimSpace(strings.Split(v, ",")[0])}
			}
		}
		return resp, nil
	case "DISCONNECT":
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}
	var msg struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal([]byte(ev.Body), &msg)
	cb := callback{endpoint: scheme() + "://" + rc.DomainName + "/" + rc.Stage}
	var err error
	switch msg.Action {
	case "echo":
		b, _ := json.Marshal(map[string]any{"event": ev})
		_, _, err = cb.call(ctx, "POST", rc.ConnectionID, b)
	case "info":
		var status int
		var body []byte
		status, body, err = cb.call(ctx, "GET", rc.ConnectionID, nil)
		if err == nil {
			b, _ := json.Marshal(map[string]any{"info": json.RawMessage(body), "status": status})
			_, _, err = cb.call(ctx, "POST", rc.ConnectionID, b)
		}
	case "kick":
		_, _, err = cb.call(ctx, "DELETE", rc.ConnectionID, nil)
	case "gone":
		status, body, _ := cb.call(ctx, "POST", "R1kmxc2VNjMCFIA=", []byte("x"))
		b, _ := json.Marshal(map[string]any{"goneStatus": status, "goneBody": string(body)})
		_, _, err = cb.call(ctx, "POST", rc.ConnectionID, b)
	default:
		b, _ := json.Marshal(map[string]any{"default": ev.Body})
		_, _, err = cb.call(ctx, "POST", rc.ConnectionID, b)
	}
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: 200}, nil
}

func scheme() string {
	if s := os.Getenv("CALLBACK_SCHEME"); s != "" {
		return s
	}
	return "https"
}

// callback calls the @connections API at endpoint.
type callback struct{ endpoint string }

func (c callback) call(ctx context.Context, method, id string, body []byte) (int, []byte, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return 0, nil, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+"/@connections/"+url.PathEscape(id), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", cfg.Region, time.Now()); err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		return resp.StatusCode, b, fmt.Errorf("%s @connections/%s: %d %s", method, id, resp.StatusCode, b)
	}
	return resp.StatusCode, b, nil
}

func main() { lambda.Start(handle) }
