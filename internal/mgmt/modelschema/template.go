package modelschema

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Template generates the mapping-template skeleton GetModelTemplate
// returns: a VTL document that copies every schema property from the input
// [U: AWS's exact whitespace].
func Template(schema string) string {
	var doc map[string]any
	_ = json.Unmarshal([]byte(schema), &doc)
	var b strings.Builder
	b.WriteString("#set($inputRoot = $input.path('$'))\n")
	writeTemplateValue(&b, doc, "$inputRoot", "")
	return b.String()
}

func writeTemplateValue(b *strings.Builder, schema map[string]any, ref, indent string) {
	typ, _ := schema["type"].(string)
	switch typ {
	case "object", "":
		props, _ := schema["properties"].(map[string]any)
		b.WriteString("{\n")
		names := make([]string, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			sub, _ := props[n].(map[string]any)
			b.WriteString(indent + "  \"" + n + "\" : ")
			writeTemplateValue(b, sub, ref+"."+n, indent+"  ")
			if i < len(names)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case "array":
		items, _ := schema["items"].(map[string]any)
		elem := "$elem" + strconv.Itoa(strings.Count(indent, "  "))
		b.WriteString("[\n" + indent + "#foreach(" + elem + " in " + ref + ")\n" + indent + "  ")
		writeTemplateValue(b, items, elem, indent+"  ")
		b.WriteString("#if($foreach.hasNext),#end\n" + indent + "#end\n" + indent + "]")
	case "string":
		b.WriteString("\"" + ref + "\"")
	default:
		b.WriteString(ref)
	}
}
