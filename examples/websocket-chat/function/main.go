// Command function is the chat example's Lambda function: one function
// behind every route of a WebSocket API (aws-lambda-go,
// events.APIGatewayWebsocketProxyRequest), as AWS's own chat samples are
// written.
//
//	$connect     ?name=ada: remembers the connection and its name
//	join         {"action":"join","room":"lobby"}: moves it into a room
//	             and tells the room
//	send         {"action":"send","text":"hello"}: broadcasts to the room
//	$disconnect  forgets the connection and tells its room
//
// Messages reach clients through the @connections API at the endpoint the
// event gives, https://{domainName}/{stage}, signed with aws-sdk-go-v2's
// SigV4 signer and the function's credentials (its execution role's). On
// AWS the connections would live in DynamoDB; here they are a JSON file
// (CHAT_STATE, default in the temporary directory) shared by the
// function's instances under a file lock.
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
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// member is a connection of the chat.
type member struct {
	Name string `json:"name"`
	Room string `json:"room"`
}

// state is what the chat remembers, by connection id.
type state map[string]member

func handle(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := ev.RequestContext
	ok := events.APIGatewayProxyResponse{StatusCode: 200}
	switch rc.RouteKey {
	case "$connect":
		name := ev.QueryStringParameters["name"]
		if name == "" {
			return events.APIGatewayProxyResponse{StatusCode: 400, Body: "?name= is required"}, nil
		}
		return ok, update(rc.APIID, func(s state) { s[rc.ConnectionID] = member{Name: name} })
	case "$disconnect":
		var gone member
		if err := update(rc.APIID, func(s state) { gone = s[rc.ConnectionID]; delete(s, rc.ConnectionID) }); err != nil {
			return ok, err
		}
		if gone.Room != "" {
			return ok, broadcast(ctx, rc, gone.Room, fmt.Sprintf("%s left %s", gone.Name, gone.Room))
		}
		return ok, nil
	}
	var msg struct {
		Action, Room, Text string
	}
	if err := json.Unmarshal([]byte(ev.Body), &msg); err != nil {
		return ok, err
	}
	var me member
	err := update(rc.APIID, func(s state) {
		me = s[rc.ConnectionID]
		if rc.RouteKey == "join" {
			me.Room = msg.Room
			s[rc.ConnectionID] = me
		}
	})
	if err != nil || me.Room == "" {
		return ok, err
	}
	text := fmt.Sprintf("%s joined %s", me.Name, me.Room)
	if rc.RouteKey == "send" {
		text = fmt.Sprintf("%s: %s", me.Name, msg.Text)
	}
	return ok, broadcast(ctx, rc, me.Room, text)
}

// broadcast posts text to every connection in room; connections that are
// gone (410) are forgotten.
func broadcast(ctx context.Context, rc events.APIGatewayWebsocketProxyRequestContext, room, text string) error {
	var to []string
	if err := update(rc.APIID, func(s state) {
		for id, m := range s {
			if m.Room == room {
				to = append(to, id)
			}
		}
	}); err != nil {
		return err
	}
	endpoint := "https://" + rc.DomainName + "/" + rc.Stage
	for _, id := range to {
		status, err := postToConnection(ctx, endpoint, id, []byte(text))
		if err != nil {
			return err
		}
		if status == http.StatusGone {
			_ = update(rc.APIID, func(s state) { delete(s, id) })
		}
	}
	return nil
}

// postToConnection is apigatewaymanagementapi's PostToConnection: POST
// {endpoint}/@connections/{id}, signed for execute-api.
func postToConnection(ctx context.Context, endpoint, id string, data []byte) (int, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return 0, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/@connections/"+url.PathEscape(id), bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", cfg.Region, time.Now()); err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusGone {
		return resp.StatusCode, fmt.Errorf("PostToConnection %s: %d %s", id, resp.StatusCode, body)
	}
	return resp.StatusCode, nil
}

// update changes the chat's state under an exclusive file lock.
func update(apiID string, fn func(state)) error {
	path := os.Getenv("CHAT_STATE")
	if path == "" {
		path = filepath.Join(os.TempDir(), "tollgate-chat-"+apiID+".json")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	s := state{}
	if b, _ := io.ReadAll(f); len(b) > 0 {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	fn(s)
	b, _ := json.Marshal(s)
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err = f.WriteAt(b, 0)
	return err
}

func main() { lambda.Start(handle) }
