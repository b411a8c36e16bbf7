package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A CDK cloud assembly (cdk.out): manifest.json lists the stacks, their
// templates and dependencies [M: cloud-assembly-schema; C: aws-cdk integ
// snapshots].

// AssemblyStack is one stack of a cloud assembly.
type AssemblyStack struct {
	ArtifactID string
	StackName  string
	Template   string            // the template file
	Dir        string            // the assembly directory (asset paths are relative to it)
	Parameters map[string]string // values the manifest passes
	// Assets maps the S3 object keys of the stack's file assets to their
	// local paths (from its asset manifest), for templates synthesized
	// without asset metadata.
	Assets map[string]string
}

// maxAssemblyVersion is the newest manifest schema major this reader was
// checked with (aws-cdk-lib 2.276 writes 55); newer ones are read with a
// warning [U].
const maxAssemblyVersion = 55

// IsAssembly reports whether path is a cloud assembly directory or its
// manifest.json.
func IsAssembly(path string) bool {
	if filepath.Base(path) == "manifest.json" {
		return true
	}
	fi, err := os.Stat(filepath.Join(path, "manifest.json"))
	return err == nil && !fi.IsDir()
}

type manifest struct {
	Version   string `json:"version"`
	Artifacts map[string]struct {
		Type         string   `json:"type"`
		Dependencies []string `json:"dependencies"`
		Properties   struct {
			TemplateFile  string            `json:"templateFile"`
			File          string            `json:"file"`
			StackName     string            `json:"stackName"`
			Parameters    map[string]string `json:"parameters"`
			DirectoryName string            `json:"directoryName"`
		} `json:"properties"`
	} `json:"artifacts"`
	Missing []any `json:"missing"`
}

// LoadAssembly lists an assembly's stacks in dependency order (nested
// assemblies of CDK stages included).
func LoadAssembly(path string, warn func(string)) ([]AssemblyStack, error) {
	if filepath.Base(path) != "manifest.json" {
		path = filepath.Join(path, "manifest.json")
	}
	return loadAssembly(path, warn, 0)
}

func loadAssembly(path string, warn func(string), depth int) ([]AssemblyStack, error) {
	if depth > 8 {
		return nil, fmt.Errorf("%s: cloud assemblies nested too deeply", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(m.Missing) > 0 {
		return nil, fmt.Errorf("%s: the assembly has unresolved context lookups (\"missing\"): run cdk synth with credentials for the lookups, or add them to cdk.context.json", path)
	}
	var major int
	fmt.Sscanf(m.Version, "%d", &major)
	if major > maxAssemblyVersion {
		warn(fmt.Sprintf("%s: cloud assembly schema %s is newer than %d.x; reading it anyway", path, m.Version, maxAssemblyVersion))
	}
	dir := filepath.Dir(path)
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []AssemblyStack
	done := map[string]bool{}
	var visit func(id string, seen map[string]bool) error
	visit = func(id string, seen map[string]bool) error {
		if done[id] {
			return nil
		}
		if seen[id] {
			return fmt.Errorf("%s: circular dependency at %s", path, id)
		}
		seen[id] = true
		a, ok := m.Artifacts[id]
		if !ok {
			return nil
		}
		for _, d := range a.Dependencies {
			if err := visit(d, seen); err != nil {
				return err
			}
		}
		done[id] = true
		switch a.Type {
		case "aws:cloudformation:stack":
			name := a.Properties.StackName
			if name == "" {
				name = id
			}
			st := AssemblyStack{ArtifactID: id, StackName: name, Dir: dir,
				Template: filepath.Join(dir, a.Properties.TemplateFile), Parameters: a.Properties.Parameters, Assets: map[string]string{}}
			for _, d := range a.Dependencies {
				if dep := m.Artifacts[d]; dep.Type == "cdk:asset-manifest" && dep.Properties.File != "" {
					if err := readAssets(filepath.Join(dir, dep.Properties.File), st.Assets); err != nil {
						return err
					}
				}
			}
			out = append(out, st)
		case "cdk:cloud-assembly":
			nested, err := loadAssembly(filepath.Join(dir, a.Properties.DirectoryName, "manifest.json"), warn, depth+1)
			if err != nil {
				return err
			}
			out = append(out, nested...)
		}
		return nil
	}
	for _, id := range ids {
		if err := visit(id, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readAssets adds an asset manifest's file assets (objectKey → local path)
// to into [M: cloud-assembly-schema asset manifest].
func readAssets(path string, into map[string]string) error {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var am struct {
		Files map[string]struct {
			Source struct {
				Path      string `json:"path"`
				Packaging string `json:"packaging"`
			} `json:"source"`
			Destinations map[string]struct {
				ObjectKey string `json:"objectKey"`
			} `json:"destinations"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &am); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, f := range am.Files {
		if f.Source.Path == "" || strings.HasSuffix(f.Source.Path, ".template.json") {
			continue
		}
		for _, d := range f.Destinations {
			into[d.ObjectKey] = filepath.Join(filepath.Dir(path), f.Source.Path)
		}
	}
	return nil
}

// assetCode resolves a CDK asset on a function: the resource's
// aws:asset:path metadata when aws:asset:property is Code [C: SAM CLI
// ResourceMetadataNormalizer], else the asset manifest's file whose object
// key is the function's Code.S3Key (templates synthesized without asset
// metadata, as `app.synth()` outside the CDK CLI writes them) [U].
func assetCode(r *Resource, assetDir string, assets map[string]string, warn func(string)) {
	if r.Code != "" || !strings.HasPrefix(r.Type, "AWS::Lambda::Function") {
		return
	}
	if r.Metadata["aws:asset:path"] == nil && r.Metadata["aws:asset:property"] == nil {
		if code, ok := r.Properties["Code"].(map[string]any); ok {
			if key, ok := code["S3Key"].(string); ok && assets[key] != "" {
				r.Code = assets[key]
			}
		}
		return
	}
	if assetDir == "" {
		return
	}
	p, hasPath := r.Metadata["aws:asset:path"].(string)
	prop, hasProp := r.Metadata["aws:asset:property"].(string)
	if hasPath != hasProp {
		warn(fmt.Sprintf("%s: asset metadata with only one of aws:asset:path and aws:asset:property is ignored", r.ID))
		return
	}
	if !hasPath || prop != "Code" || !strings.HasPrefix(r.Type, "AWS::Lambda::Function") {
		return
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(assetDir, p)
	}
	r.Code = p
}
