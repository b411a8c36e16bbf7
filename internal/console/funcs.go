package console

import (
	"html/template"
	"strings"
	"time"
)

// epoch formats AWS's epoch-seconds dates.
func epoch(s float64) string {
	if s <= 0 {
		return ""
	}
	return time.Unix(int64(s), 0).UTC().Format("2006-01-02 15:04:05 UTC")
}

// isoDate formats apigatewayv2's ISO 8601 dates.
func isoDate(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var funcs = template.FuncMap{
	"join":  strings.Join,
	"onOff": onOff,
	"dash":  orDash,
	"formValue": func(f map[string]map[string]string, op, key, def string) string {
		if v, ok := f[op][key]; ok {
			return v
		}
		return def
	},
}
