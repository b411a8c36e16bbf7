package oas

import (
	"net/url"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/awserr"
)

// Base path modes of an import [D: "Set the OpenAPI basePath property"].
const (
	BasePathIgnore  = "ignore"
	BasePathPrepend = "prepend"
	BasePathSplit   = "split"
)

// BasePathMode reads an import's basepath parameter (any case; "" is
// ignore).
func BasePathMode(s string) (string, error) {
	switch m := strings.ToLower(s); m {
	case "":
		return BasePathIgnore, nil
	case BasePathIgnore, BasePathPrepend, BasePathSplit:
		return m, nil
	}
	// [U] AWS's text for an unknown basepath mode.
	return "", awserr.BadRequest("Invalid basepath parameter. Valid options are ignore,prepend,split")
}

// BasePath is a document's base path, without surrounding slashes: the
// basePath of a Swagger 2.0 document; for OpenAPI 3, the path of the
// first server's url with its variables' defaults substituted, or a lone
// basePath variable's default when the url does not use it [D].
func BasePath(doc Obj) string {
	if Str(doc["openapi"]) == "" {
		return strings.Trim(Str(doc["basePath"]), "/")
	}
	servers := ListAt(doc, "servers")
	if len(servers) == 0 {
		return ""
	}
	s0, _ := servers[0].(Obj)
	raw := Str(s0["url"])
	vars := ObjAt(s0, "variables")
	if v, ok := vars["basePath"].(Obj); ok && len(vars) == 1 && !strings.Contains(raw, "{basePath}") {
		raw = strings.TrimSuffix(raw, "/") + "/" + strings.TrimPrefix(Str(v["default"]), "/")
	}
	for name, v := range vars {
		vo, _ := v.(Obj)
		raw = strings.ReplaceAll(raw, "{"+name+"}", Str(vo["default"]))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.Trim(u.Path, "/")
}

// PathPrefix is what a base path mode puts before every path of the
// document: prepend the whole base path, split all of it but its first
// segment, ignore nothing. It is "" or starts with "/".
func PathPrefix(basePath, mode string) string {
	bp := strings.Trim(basePath, "/")
	switch mode {
	case BasePathPrepend:
		if bp != "" {
			return "/" + bp
		}
	case BasePathSplit:
		if i := strings.Index(bp, "/"); i >= 0 {
			return "/" + bp[i+1:]
		}
	}
	return ""
}

// ImportedName names an API whose document has no info.title: AWS accepts
// it and names the API "Imported on {date/time}" [C: Terraform AWS
// provider issue 7161]; the format of the date and time is [U].
func ImportedName(t time.Time) string {
	return "Imported on " + t.UTC().Format("2006-01-02T15:04:05Z")
}

// WarningsFound is the answer of an import with failOnWarnings to a
// document that gave warnings [C: "BadRequestException: Warnings found
// during import", terraform-provider-aws's fail_on_warnings acceptance
// test; U: the layout of the list].
func WarningsFound(warnings []string) error {
	return awserr.BadRequest("Warnings found during import:\n\t%s", strings.Join(warnings, "\n\t"))
}

// ErrorsFound is the answer of an import to a document with errors: the
// API is left as it was [D: "Errors and warnings from importing your API
// into API Gateway"; C: "Errors found during import:\n\t...", an
// ImportRestApi answer quoted in ustayready/fireprox#37].
func ErrorsFound(errs []string) error {
	return awserr.BadRequest("Errors found during import:\n\t%s", strings.Join(errs, "\n\t"))
}
