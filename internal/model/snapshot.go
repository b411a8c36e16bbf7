package model

// Snapshot is the frozen copy of a REST API that CreateDeployment takes and
// that stages serve. Later edits to the API change nothing here.
type Snapshot struct {
	API              RestApi            `json:"api"`
	Resources        []Resource         `json:"resources"`
	Models           []Model            `json:"models,omitzero"`
	Validators       []RequestValidator `json:"validators,omitzero"`
	Authorizers      []Authorizer       `json:"authorizers,omitzero"`
	GatewayResponses []GatewayResponse  `json:"gatewayResponses,omitzero"`
}
