package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serverName makes a newPKINode template a server certificate for name.
func serverName(name string) func(*x509.Certificate) {
	return func(c *x509.Certificate) {
		c.DNSNames, c.ExtKeyUsage = []string{name}, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
}

// TestDomainsChangesUnderLoad: while 8 HTTPS clients call a custom domain
// (4 on keep-alive connections, 4 with a new handshake per request), its
// certificate is re-imported and its mapping switched between two APIs
// over and over: not one request fails or sees anything but one of the
// two APIs' answers, and new handshakes see both certificates.
func TestDomainsChangesUnderLoad(t *testing.T) {
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	c := newCLI(t, dp.Gateway)
	acm := c.service("acm")
	apis := map[string]string{} // id → its answer
	var ids []string
	for _, name := range []string{"A", "B"} {
		a := dp.newAPI(t, "load-"+name)
		a.mock(t, "/", "GET", name)
		a.deploy(t, "prod")
		apis[a.ID] = name
		ids = append(ids, a.ID)
	}

	dir := t.TempDir()
	now := time.Now()
	ca := newPKINode(t, dir, "ca", nil, "Load CA", true, 1, now.Add(-time.Hour), now.Add(24*time.Hour), func(c *x509.Certificate) { c.ExtKeyUsage = nil })
	certs := []*pkiNode{
		newPKINode(t, dir, "one", ca, "load.example.test", false, 101, now.Add(-time.Hour), now.Add(24*time.Hour), serverName("load.example.test")),
		newPKINode(t, dir, "two", ca, "load.example.test", false, 102, now.Add(-time.Hour), now.Add(24*time.Hour), serverName("load.example.test")),
	}
	arn := acm.obj("import-certificate", "--certificate", "fileb://"+certs[0].certPath, "--private-key", "fileb://"+certs[0].keyPath)["CertificateArn"].(string)
	c.obj("create-domain-name", "--domain-name", "load.example.test", "--regional-certificate-arn", arn, "--endpoint-configuration", "types=REGIONAL")
	c.obj("create-base-path-mapping", "--domain-name", "load.example.test", "--rest-api-id", ids[0], "--stage", "prod")
	dp.byName(t, dp.HTTPS, "--cacert", ca.certPath).waitGet("load.example.test", "/", 200, "A")

	pool := x509.NewCertPool()
	caPEM, _ := os.ReadFile(ca.certPath)
	pool.AppendCertsFromPEM(caPEM)
	var total, failed atomic.Int64
	var seenCert [2]atomic.Int64 // handshakes that got certs[i]
	seenAPI := map[string]*atomic.Int64{"A": {}, "B": {}}
	var mu sync.Mutex
	var failures []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 8 {
		tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "load.example.test", RootCAs: pool}, DisableKeepAlives: i%2 == 1}
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tr.CloseIdleConnections()
			for {
				select {
				case <-stop:
					return
				default:
				}
				time.Sleep(2 * time.Millisecond) // leave the management calls some CPU
				req, _ := http.NewRequest("GET", dp.HTTPS+"/", nil)
				req.Host = "load.example.test"
				res, err := client.Do(req)
				total.Add(1)
				var body []byte
				if err == nil {
					body, err = io.ReadAll(res.Body)
					res.Body.Close()
				}
				if err == nil && res.StatusCode == 200 && seenAPI[string(body)] != nil {
					seenAPI[string(body)].Add(1)
					serial := res.TLS.PeerCertificates[0].SerialNumber.Int64()
					seenCert[serial-101].Add(1)
					continue
				}
				failed.Add(1)
				mu.Lock()
				if len(failures) < 10 {
					if err != nil {
						failures = append(failures, err.Error())
					} else {
						failures = append(failures, fmt.Sprintf("%d %q", res.StatusCode, body))
					}
				}
				mu.Unlock()
			}
		}()
	}

	// Change both for 10 seconds: the mapping every 100 ms, the
	// certificate as often as the CLI manages (about once a second).
	deadline := time.Now().Add(10 * time.Second)
	done := make(chan int)
	go func() {
		n := 0
		for i := 1; time.Now().Before(deadline); i++ {
			acm.ok(nil, "import-certificate", "--certificate-arn", arn, "--certificate", "fileb://"+certs[i%2].certPath, "--private-key", "fileb://"+certs[i%2].keyPath)
			n++
		}
		done <- n
	}()
	flips := 0
	for i := 1; time.Now().Before(deadline); i++ {
		dp.call(t, "PATCH", "/domainnames/load.example.test/basepathmappings/%28none%29", map[string]any{
			"patchOperations": []any{replaceOp("/restapiId", ids[i%2])}})
		flips++
		time.Sleep(100 * time.Millisecond)
	}
	reimports := <-done
	close(stop)
	wg.Wait()
	t.Logf("%d requests, %d mapping switches, %d re-imports; answers A %d B %d; over certificate one %d, two %d",
		total.Load(), flips, reimports, seenAPI["A"].Load(), seenAPI["B"].Load(), seenCert[0].Load(), seenCert[1].Load())
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed: %v", failed.Load(), total.Load(), failures)
	}
	if seenAPI["A"].Load() == 0 || seenAPI["B"].Load() == 0 || seenCert[0].Load() == 0 || seenCert[1].Load() == 0 || reimports < 2 {
		t.Errorf("the changes did not all show: %d re-imports", reimports)
	}
}
