// Command mgmtflood measures the memory `tollgate serve` takes while its
// management API is flooded with large request bodies it must refuse:
//
//	go run ./bench/mgmtflood                 # builds ./cmd/tollgate
//	go run ./bench/mgmtflood -bin /path/to/tollgate -n 150 -size 10485760
//	go run ./bench/mgmtflood -path /2015-03-31/functions -service lambda -size 70000000
//
// Each scenario starts a fresh gateway, records its resident memory
// (VmRSS) at rest, sends n parallel POST /restapis of size bytes each, and
// reports the peak resident memory during the flood (VmHWM, the kernel's
// high-water mark), the resident memory right after it and after a pause,
// and the answers received:
//
//   - unsigned: no Authorization header (refused before the body is read);
//   - forged: a well-formed Authorization header for the gateway's real
//     access key ID, the right scope and date, but a wrong signature and no
//     X-Amz-Content-Sha256, so the body must be read (and hashed) before
//     the signature can be found wrong: the worst case an attacker who
//     knows only the access key ID can cause.
//
// It is a measuring tool, not a test: figures depend on the machine.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	accessKeyID = "AKIAMGMTFLOOD0000000"
	secretKey   = "mgmtflood/secret/key/0000000000000000000"
)

func main() {
	bin := flag.String("bin", "", "tollgate binary (default: go build ./cmd/tollgate)")
	n := flag.Int("n", 150, "parallel requests per scenario")
	size := flag.Int64("size", 10<<20, "body size in bytes")
	settle := flag.Duration("settle", 10*time.Second, "pause before the last memory reading")
	scenarios := flag.String("scenarios", "unsigned,forged", "scenarios to run, comma-separated")
	path := flag.String("path", "/restapis", "path POSTed to")
	service := flag.String("service", "apigateway", "signing name of the forged signatures")
	flag.Parse()
	log.SetFlags(0)

	if *bin == "" {
		dir, err := os.MkdirTemp("", "mgmtflood")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		*bin = filepath.Join(dir, "tollgate")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/tollgate")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("go build: %v", err)
		}
	}
	fmt.Printf("%d parallel POST %s of %d bytes; %s, GOMAXPROCS %d\n", *n, *path, *size, runtime.Version(), runtime.GOMAXPROCS(0))
	fmt.Printf("%-9s %10s %10s %10s %10s  %s\n", "scenario", "rest MB", "peak MB", "after MB", "settled MB", "answers")
	for _, sc := range strings.Split(*scenarios, ",") {
		if err := run(*bin, target{sc, *path, *service}, *n, *size, *settle); err != nil {
			log.Fatalf("%s: %v", sc, err)
		}
	}
}

// target is what a scenario sends: how it signs, where, for which service.
type target struct{ scenario, path, service string }

func run(bin string, tg target, n int, size int64, settle time.Duration) error {
	g, err := start(bin)
	if err != nil {
		return err
	}
	defer g.stop()
	rest := g.mem("VmRSS")

	answers := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, DisableKeepAlives: true}, Timeout: 5 * time.Minute}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := send(client, g.endpoint, tg, size)
			mu.Lock()
			answers[a]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	peak, after := g.mem("VmHWM"), g.mem("VmRSS")
	time.Sleep(settle)
	settled := g.mem("VmRSS")
	var parts []string
	for a, c := range answers {
		parts = append(parts, fmt.Sprintf("%d× %s", c, a))
	}
	fmt.Printf("%-9s %10.1f %10.1f %10.1f %10.1f  %s\n", tg.scenario, mb(rest), mb(peak), mb(after), mb(settled), strings.Join(parts, ", "))
	return nil
}

// send makes one request and describes its answer ("403 MissingAuthenticationTokenException").
func send(c *http.Client, endpoint string, tg target, size int64) string {
	req, err := http.NewRequest(http.MethodPost, endpoint+tg.path, io.LimitReader(zeros{}, size))
	if err != nil {
		return err.Error()
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/json")
	if tg.scenario == "forged" {
		now := time.Now().UTC()
		req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
		sig := sha256.Sum256([]byte(now.String()))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKeyID+"/"+now.Format("20060102")+
			"/us-east-1/"+tg.service+"/aws4_request, SignedHeaders=host;x-amz-date, Signature="+hex.EncodeToString(sig[:]))
	}
	res, err := c.Do(req)
	if err != nil {
		// The server may answer and close before the whole body is sent.
		var ne net.Error
		if errors.As(err, &ne) || strings.Contains(err.Error(), "broken pipe") || strings.Contains(err.Error(), "connection reset") {
			return "connection closed while sending"
		}
		return err.Error()
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return strconv.Itoa(res.StatusCode) + " " + res.Header.Get("x-amzn-ErrorType")
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

type gateway struct {
	cmd      *exec.Cmd
	dir      string
	endpoint string
}

func start(bin string) (*gateway, error) {
	dir, err := os.MkdirTemp("", "mgmtflood-data")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "serve", "--data-dir", dir, "--admin-addr", addr, "--https-addr", "127.0.0.1:0", "--log-level", "error")
	cmd.Env = append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID="+accessKeyID, "TOLLGATE_SECRET_ACCESS_KEY="+secretKey)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	g := &gateway{cmd: cmd, dir: dir, endpoint: "http://" + addr}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if res, err := http.Get(g.endpoint + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return g, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.stop()
	return nil, errors.New("gateway did not become healthy")
}

func (g *gateway) stop() {
	_ = g.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = g.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = g.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(g.dir)
}

// mem reads a /proc/PID/status field in kB, as bytes.
func (g *gateway) mem(field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", g.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return -1
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
