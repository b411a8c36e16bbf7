package vtl

import (
	"context"
	"testing"
)

// requestTemplate is a typical API Gateway request mapping template.
const requestTemplate = `## Transform the incoming order for the backend
#set($inputRoot = $input.path('$'))
#set($allParams = $input.params())
{
  "orderId": "$input.params('id')",
  "query": "$util.escapeJavaScript($input.params('q'))",
  "customer": {
    "name": "$util.escapeJavaScript($inputRoot.name)",
    "age": $inputRoot.age,
    "city": "$inputRoot.addr.city"
  },
  "price": $inputRoot.price,
  #if($inputRoot.age >= 18)
  "adult": true,
  #else
  "adult": false,
  #end
  "tags": [
  #foreach($tag in $inputRoot.tags)
    "$util.escapeJavaScript($tag).replaceAll("\\'","'")"#if($foreach.hasNext),#end
  #end
  ],
  "stage": "$context.stage",
  "requestId": "$context.requestId",
  "sourceIp": "$context.identity.sourceIp",
  "env": "$stageVariables.env",
  "count": $inputRoot.tags.size(),
  "upper": "$inputRoot.name.toUpperCase()"
}
`

func BenchmarkRenderRequestTemplate(b *testing.B) {
	tpl := MustParse("request", requestTemplate)
	vars := testVars()
	buf := make([]byte, 0, 4096)
	ctx := context.Background()
	out, err := tpl.AppendRender(ctx, buf, vars)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("output:\n%s", out)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var err error
		buf, err = tpl.AppendRender(ctx, buf[:0], vars)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequestTemplate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("request", requestTemplate); err != nil {
			b.Fatal(err)
		}
	}
}
