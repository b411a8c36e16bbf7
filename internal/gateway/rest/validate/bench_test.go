package validate

import (
	"testing"
)

// BenchmarkCheckSmallBody validates a typical small JSON body against a
// compiled model with a $ref to another model.
func BenchmarkCheckSmallBody(b *testing.B) {
	models := map[string]string{
		"Pet": `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["name","type","price"],
			"properties":{"name":{"type":"string","minLength":1,"maxLength":64},"type":{"enum":["dog","cat","fish"]},
			"price":{"type":"number","minimum":0},"owner":{"$ref":"https://apigateway.amazonaws.com/restapis/` + apiID + `/models/Owner"}}}`,
		"Owner": `{"type":"object","required":["id"],"properties":{"id":{"type":"integer"},"email":{"type":"string"}}}`,
	}
	ms := NewModels(apiID, snap(models).Models)
	s, err := ms.Schema("Pet")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"name":"Rex","type":"dog","price":24.99,"owner":{"id":42,"email":"ann@example.com"}}`)
	if msg := s.Check(body); msg != "" {
		b.Fatal(msg)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if s.Check(body) != "" {
			b.Fatal("invalid")
		}
	}
}
