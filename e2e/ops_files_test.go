package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestFilesArePrivate starts the gateway under umask 000 (so that nothing
// is private by accident), makes it write every kind of file it writes
// (store and WAL, credentials, sealing key, TLS keys, lock, access log,
// a function's code), and checks their modes: every directory 0700 and
// every file holding something sensitive 0600.
func TestFilesArePrivate(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	logDir := t.TempDir()
	cmd := exec.Command("sh", "-c", `umask 000 && exec "$0" "$@"`, binary(t), "serve", "--data-dir", dataDir,
		"--admin-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	dp := startDataPlaneCmd(t, cmd, dataDir)

	a := dp.newAPI(t, "modes")
	a.echoMock(t, "/x", "GET")
	a.deploy(t, "prod")
	logPath := filepath.Join(logDir, "access.log")
	a.patchStage(t, "prod", replaceOp("/accessLogSettings/destinationArn", logPath),
		replaceOp("/accessLogSettings/format", `$context.requestId`))
	eventually(t, "access log", func() error {
		dp.do(t, "GET", a.url("prod", "/x"), nil, nil)
		_, err := os.Stat(logPath)
		return err
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := dp.lambdaClient(t).CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("modes"),
		Role:         aws.String("arn:aws:iam::000000000000:role/lambda"),
		Runtime:      "provided.al2023",
		Handler:      aws.String("bootstrap"),
		Code:         &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "#!/bin/sh\nexit 1\n")},
	}); err != nil {
		t.Fatal(err)
	}

	private := []string{"tollgate.db", "tollgate.db-wal", "tollgate.db-shm", "credentials", "secret.key",
		"tls/ca-key.pem", "tls/server-key.pem", "tollgate.lock"}
	for _, name := range private {
		expectMode(t, filepath.Join(dataDir, name), 0o600)
	}
	expectMode(t, logPath, 0o600)
	zips, _ := filepath.Glob(filepath.Join(dataDir, "lambda", "modes", "*.zip"))
	if len(zips) != 1 {
		t.Fatalf("function package not kept: %v", zips)
	}
	expectMode(t, zips[0], 0o600)
	err := filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			expectMode(t, path, 0o700|fs.ModeDir)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dp.Logs(), "readable by other users") {
		t.Errorf("a private data dir was reported readable:\n%s", dp.Logs())
	}
}

// TestExposedDataDirWarns: a data dir others can read is reported at start.
func TestExposedDataDirWarns(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dataDir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	g := startGateway(t, dataDir)
	// The warning follows a successful start, so it may come just after
	// the gateway answers.
	eventually(t, "the data dir warning", func() error {
		if logs := g.Logs(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "the data dir is readable by other users") ||
			!strings.Contains(logs, "mode=0755") {
			return fmt.Errorf("no warning about the data dir's mode:\n%s", logs)
		}
		return nil
	})
}

// TestSecondServeRefused: a second gateway on a data dir in use exits at
// start with one line naming the dir and the holder's pid; once the holder
// is killed with SIGKILL (no clean-up), the dir can be used at once.
func TestSecondServeRefused(t *testing.T) {
	dataDir := t.TempDir()
	first := startGateway(t, dataDir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, binary(t), "serve", "--data-dir", dataDir, "--admin-addr", "127.0.0.1:0",
		"--https-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0")
	out, err := second.CombinedOutput()
	var ee *exec.ExitError
	if !errorAs(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("second serve: %v, want exit status 1\n%s", err, out)
	}
	line := strings.TrimSpace(string(out))
	want := "tollgate: data dir " + dataDir + " is in use by another tollgate serve (pid " + strconv.Itoa(first.cmd.Process.Pid) + ")"
	if strings.Contains(line, "\n") || !strings.HasPrefix(line, want) {
		t.Errorf("second serve said %q, want one line starting %q", out, want)
	}
	// The first one is untouched.
	first.waitHealthy()

	first.Kill()
	again := startGateway(t, dataDir)
	again.waitHealthy()
}

func expectMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got := st.Mode() & (fs.ModeDir | fs.ModePerm); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

// scriptZip is a deployment package whose bootstrap is script.
func scriptZip(t *testing.T, script string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write([]byte(script))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
