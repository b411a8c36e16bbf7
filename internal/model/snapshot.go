package model

// Snapshot is the frozen copy of a REST API that CreateDeployment takes and
// that stages serve. Later edits to the API change nothing here.
type Snapshot struct {
	// API is the API's own document (binary media types, key source, ...).
	API RestApi `json:"api"`
	// Resources is the whole resource tree, with methods and integrations.
	Resources []Resource `json:"resources"`
	// Models are the API's models, for request validation.
	Models []Model `json:"models,omitzero"`
	// Validators are the request validators methods may name.
	Validators []RequestValidator `json:"validators,omitzero"`
	// Authorizers are the authorizers methods may name.
	Authorizers []Authorizer `json:"authorizers,omitzero"`
	// GatewayResponses are the API's customised gateway responses; the
	// other types keep their defaults.
	GatewayResponses []GatewayResponse `json:"gatewayResponses,omitzero"`
}
