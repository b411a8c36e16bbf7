package credentials

import (
	"os"
	"path/filepath"
	"testing"
)

func noenv(string) string { return "" }

func TestGenerateOnceThenReuse(t *testing.T) {
	dir := t.TempDir()
	p1, src1, err := Load(dir, noenv)
	if err != nil {
		t.Fatal(err)
	}
	if !src1.Generated || src1.Path != filepath.Join(dir, FileName) {
		t.Fatalf("first load: %+v", src1)
	}
	if len(p1.AccessKeyID) != 20 || len(p1.SecretAccessKey) != 40 {
		t.Fatalf("shape: %d/%d", len(p1.AccessKeyID), len(p1.SecretAccessKey))
	}
	fi, err := os.Stat(src1.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	p2, src2, err := Load(dir, noenv)
	if err != nil {
		t.Fatal(err)
	}
	if src2.Generated || p2 != p1 {
		t.Errorf("second load must reuse the file: %+v %+v", src2, p2)
	}
}

func TestEnvWins(t *testing.T) {
	env := map[string]string{"TOLLGATE_ACCESS_KEY_ID": "AKIDEXAMPLE", "TOLLGATE_SECRET_ACCESS_KEY": "secret"}
	p, src, err := Load(t.TempDir(), func(k string) string { return env[k] })
	if err != nil || p.AccessKeyID != "AKIDEXAMPLE" || src.Path != "" {
		t.Fatalf("%v %+v %+v", err, p, src)
	}
	delete(env, "TOLLGATE_SECRET_ACCESS_KEY")
	if _, _, err := Load(t.TempDir(), func(k string) string { return env[k] }); err == nil {
		t.Fatal("half-set environment must fail")
	}
}

func TestReadsOtherProfilesAndComments(t *testing.T) {
	dir := t.TempDir()
	content := "# comment\n[default]\naws_access_key_id = X\naws_secret_access_key = Y\n\n[tollgate]\naws_access_key_id=AK\naws_secret_access_key = SK\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	p, _, err := Load(dir, noenv)
	if err != nil || p != (Pair{"AK", "SK"}) {
		t.Fatalf("%v %+v", err, p)
	}
}

// TestSave: Save writes the pair (0600), leaves a file that already holds
// it alone, and replaces one holding another pair.
func TestSave(t *testing.T) {
	dir := t.TempDir()
	p, _, err := Load(dir, noenv)
	if err != nil {
		t.Fatal(err)
	}
	if _, changed, err := Save(dir, p); err != nil || changed {
		t.Fatalf("same pair: changed %v, %v", changed, err)
	}
	q := Generate()
	src, changed, err := Save(dir, q)
	if err != nil || !changed || src.Path != filepath.Join(dir, FileName) {
		t.Fatalf("new pair: %+v changed %v, %v", src, changed, err)
	}
	got, _, err := Load(dir, noenv)
	if err != nil || got != q {
		t.Fatalf("after Save: %+v %v, want %+v", got, err, q)
	}
	fi, err := os.Stat(src.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
}
