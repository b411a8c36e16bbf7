package sdkgen

import (
	"archive/zip"
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// File is one entry of a generated SDK.
type File struct {
	Path, Data string
}

// Property is a configuration property of an SDK type (GetSdkType's
// configurationProperties).
type Property struct {
	Name         string `json:"name"`
	FriendlyName string `json:"friendlyName,omitempty"`
	Description  string `json:"description,omitempty"`
	Required     bool   `json:"required"`
	DefaultValue string `json:"defaultValue,omitempty"`
}

// Type is an SDK type (GetSdkTypes' items).
type Type struct {
	ID                      string     `json:"id"`
	FriendlyName            string     `json:"friendlyName,omitempty"`
	Description             string     `json:"description,omitempty"`
	ConfigurationProperties []Property `json:"configurationProperties"`
}

var invokeURLProperty = Property{Name: "invokeUrl", FriendlyName: "Invoke URL", Description: "URL baked into the client (Tollgate extension)"}

// Types are the SDK types Tollgate generates, in its order (reference
// §1.1; the strings are Tollgate's [T]).
var Types = []Type{
	{ID: "javascript", FriendlyName: "JavaScript", Description: "Browser JavaScript client (AWS's apigClient.js layout)",
		ConfigurationProperties: []Property{invokeURLProperty}},
	{ID: "typescript", FriendlyName: "TypeScript", Description: "Typed ESM client for Node 18+ and browsers (Tollgate)",
		ConfigurationProperties: []Property{
			{Name: "npmPackageName", FriendlyName: "npm package name", Description: "package.json name", DefaultValue: "<api-slug>-client"},
			{Name: "npmPackageVersion", FriendlyName: "npm package version", DefaultValue: "1.0.0"},
			invokeURLProperty}},
	{ID: "go", FriendlyName: "Go", Description: "Typed Go client using aws-sdk-go-v2's SigV4 signer (Tollgate)",
		ConfigurationProperties: []Property{
			{Name: "goModulePath", FriendlyName: "Go module path", DefaultValue: "example.com/<api-slug>client"},
			{Name: "goPackageName", FriendlyName: "Go package name", DefaultValue: "<apislug>client"},
			invokeURLProperty}},
}

// AWSTypes are the SDK types AWS generates and Tollgate does not.
var AWSTypes = map[string]bool{"java": true, "android": true, "objectivec": true, "swift": true, "ruby": true}

// FindType returns the SDK type with this id.
func FindType(id string) (Type, bool) {
	for _, t := range Types {
		if t.ID == id {
			return t, true
		}
	}
	return Type{}, false
}

// Generate builds the files of an SDK of type typ for a with the GetSdk
// parameters params (unknown ones are ignored).
func Generate(typ string, a *API, params map[string]string) ([]File, error) {
	switch typ {
	case "javascript":
		return JavaScript(a), nil
	case "typescript":
		name := params["npmPackageName"]
		if name == "" {
			name = Slug(a.Name) + "-client"
		}
		if !npmNameRE.MatchString(name) {
			return nil, fmt.Errorf("invalid npmPackageName %q", name)
		}
		version := params["npmPackageVersion"]
		if version == "" {
			version = "1.0.0"
		}
		if !semverRE.MatchString(version) {
			return nil, fmt.Errorf("invalid npmPackageVersion %q", version)
		}
		return TypeScript(a, name, version), nil
	case "go":
		pkg := params["goPackageName"]
		if pkg == "" {
			pkg = GoPackage(a.Name)
		}
		if !goIdentRE.MatchString(pkg) {
			return nil, fmt.Errorf("invalid goPackageName %q", pkg)
		}
		mod := params["goModulePath"]
		if mod == "" {
			mod = "example.com/" + Slug(a.Name) + "client"
		}
		if !goModRE.MatchString(mod) {
			return nil, fmt.Errorf("invalid goModulePath %q", mod)
		}
		return Go(a, mod, pkg), nil
	}
	return nil, fmt.Errorf("unknown SDK type %q", typ)
}

var (
	npmNameRE = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]{0,200}$`)
	semverRE  = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
	goIdentRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,62}$`)
	goModRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*(/[A-Za-z0-9._~-]+)+$`)
)

// Zip writes files as a zip: regular files, mode 0644, every entry dated
// at, in the given order (reference §1.2 [T]).
func Zip(files []File, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: at.UTC()}
		h.SetMode(0o644)
		fw, err := w.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write([]byte(f.Data)); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sortFiles orders files by path (the typed SDKs' order).
func sortFiles(files []File) []File {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// FileName is the zip's name in Content-Disposition:
// {type}_{yyyy-MM-dd}_{HH-mm}Z.zip in UTC [X].
func FileName(typ string, at time.Time) string {
	return typ + "_" + at.UTC().Format("2006-01-02_15-04") + "Z.zip"
}
