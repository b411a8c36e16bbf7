package modelv2

// Authorizer types.
const (
	AuthorizerRequest = "REQUEST"
	AuthorizerJWT     = "JWT"
)

// AuthorizerTypes in the order of the service model.
var AuthorizerTypes = []string{AuthorizerRequest, AuthorizerJWT}

// Authorizer is a Lambda (REQUEST) or JWT authorizer.
type Authorizer struct {
	AuthorizerCredentialsArn       *string           `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerID                   string            `json:"authorizerId"`
	AuthorizerPayloadFormatVersion *string           `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int64            `json:"authorizerResultTtlInSeconds,omitempty"`
	AuthorizerType                 string            `json:"authorizerType"`
	AuthorizerURI                  *string           `json:"authorizerUri,omitempty"`
	EnableSimpleResponses          *bool             `json:"enableSimpleResponses,omitempty"`
	IdentitySource                 []string          `json:"identitySource,omitzero"`
	IdentityValidationExpression   *string           `json:"identityValidationExpression,omitempty"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	Name                           string            `json:"name"`
}

// JWTConfiguration says which tokens a JWT authorizer accepts.
type JWTConfiguration struct {
	Audience []string `json:"audience,omitzero"`
	Issuer   *string  `json:"issuer,omitempty"`
}
