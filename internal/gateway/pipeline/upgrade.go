package pipeline

import "net"

// Upgrader is implemented by Responses whose connection can be handed
// over once the response is sent: a WebSocket API's opening handshake
// answers 101 Switching Protocols and keeps the connection.
type Upgrader interface {
	// Upgrade sends the response as it stands (status and headers; no
	// body) when the target returns, then calls fn on a goroutine of its
	// own with the client's connection, which fn owns and closes. fn is
	// not called when the response cannot be sent.
	Upgrade(fn func(net.Conn))
}
