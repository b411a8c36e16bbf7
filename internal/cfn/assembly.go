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
}

// maxAssemblyVersion is the newest manifest schema major this reader was
// written for; newer ones are read with a warning [U].
const maxAssemblyVersion = 48

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
			out = append(out, AssemblyStack{ArtifactID: id, StackName: name, Dir: dir,
				Template: filepath.Join(dir, a.Properties.TemplateFile), Parameters: a.Properties.Parameters})
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

// assetCode resolves a CDK asset on a function: the resource's
// aws:asset:path metadata when aws:asset:property is Code [C: SAM CLI
// ResourceMetadataNormalizer].
func assetCode(r *Resource, assetDir string, warn func(string)) {
	if assetDir == "" || r.Metadata == nil || r.Code != "" {
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
