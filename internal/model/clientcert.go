package model

// ClientCertificate is a self-signed certificate API Gateway presents as
// its TLS client certificate to the HTTP backends of the stages that name
// it (Stage.ClientCertificateID). Only the public certificate is ever
// returned: see StoredClientCertificate.
type ClientCertificate struct {
	ID          string  `json:"clientCertificateId"`
	Description *string `json:"description,omitempty"`
	// PemEncodedCertificate is the certificate, for backends to trust.
	PemEncodedCertificate string `json:"pemEncodedCertificate"`
	CreatedDate           Time   `json:"createdDate"`
	// ExpirationDate is when the certificate expires: 365 days after
	// CreatedDate [D].
	ExpirationDate Time              `json:"expirationDate"`
	Tags           map[string]string `json:"tags,omitzero"`
}

// StoredClientCertificate is how a client certificate is kept in the
// store: the wire document and the private key's PEM sealed by
// secret.Box. A data-plane compiler builds the stage's client TLS
// certificate from PemEncodedCertificate and secret.Box.Open(SealedKey).
type StoredClientCertificate struct {
	ClientCertificate
	SealedKey string `json:"sealedKey"`
}

// PrefixClientCertificates: "clientcert/{id}" → StoredClientCertificate.
const PrefixClientCertificates = "clientcert/"

// KeyClientCertificate is the store key of a client certificate.
func KeyClientCertificate(id string) string { return PrefixClientCertificates + id }

// Public returns the wire document alone (never the sealed key).
func (s StoredClientCertificate) Public() ClientCertificate { return s.ClientCertificate }
