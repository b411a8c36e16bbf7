package apigw

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/internal/model"
)

// API key values are sealed (internal/secret) before they are stored and
// opened only to answer a caller who asked for them. Errors here never
// carry a value: they reach the log as internal failures.

// errNoSecrets: the API was built without a secret.Box.
var errNoSecrets = errors.New("apigw: no secret box configured: API key values cannot be stored")

// lenKeyValue is the length of a generated key value [U: AWS's are 40
// alphanumerics].
const lenKeyValue = 40

const keyValueAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomKeyValue draws lenKeyValue alphanumerics from crypto/rand, without
// modulo bias (a key value is a credential).
func randomKeyValue() string {
	const limit = 256 - 256%len(keyValueAlphabet)
	out := make([]byte, 0, lenKeyValue)
	buf := make([]byte, 64)
	for len(out) < lenKeyValue {
		_, _ = rand.Read(buf) // never fails (crypto/rand panics internally on failure)
		for _, b := range buf {
			if int(b) < limit && len(out) < lenKeyValue {
				out = append(out, keyValueAlphabet[int(b)%len(keyValueAlphabet)])
			}
		}
	}
	return string(out)
}

// sealValue returns the stored form of a key value and its digest.
func (a *API) sealValue(value string) (sealed, digest string, err error) {
	if a.secrets == nil {
		return "", "", errNoSecrets
	}
	sealed, err = a.secrets.Seal([]byte(value))
	if err != nil {
		return "", "", fmt.Errorf("seal api key value: %w", err)
	}
	return sealed, a.secrets.Digest([]byte(value)), nil
}

// openValue returns a stored key's value.
func (a *API) openValue(k *model.StoredApiKey) (string, error) {
	if a.secrets == nil {
		return "", errNoSecrets
	}
	b, err := a.secrets.Open(k.SealedValue)
	if err != nil {
		return "", fmt.Errorf("open value of api key %s: %w", k.ID, err)
	}
	return string(b), nil
}

// withValue returns the wire form of k including its value.
func (a *API) withValue(k *model.StoredApiKey) (model.ApiKey, error) {
	v, err := a.openValue(k)
	if err != nil {
		return model.ApiKey{}, err
	}
	out := k.ApiKey
	out.Value = &v
	return out, nil
}
