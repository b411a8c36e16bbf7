package apigw

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// webSocketStageExists reports whether apiID is a WebSocket API
// (apigatewayv2) with a stage named stage: usage plans may name those
// stages (HTTP APIs have no usage plans) [D].
func webSocketStageExists(ctx context.Context, rd store.Reader, apiID, stage string) (bool, error) {
	api, _, err := get[modelv2.Api](ctx, rd, modelv2.KeyApi(apiID))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil || api.ProtocolType != modelv2.ProtocolWebSocket {
		return false, err
	}
	return exists(ctx, rd, modelv2.ChildKey(modelv2.KindStage, apiID, stage))
}
