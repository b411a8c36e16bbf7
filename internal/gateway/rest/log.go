package rest

import "log/slog"

// Log returns the logger of the stage serving x, for the packages that
// implement REST's stages (access control).
func (x *Exchange) Log() *slog.Logger { return x.log() }
