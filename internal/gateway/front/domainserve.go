package front

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// serveDomain answers a request whose Host is the custom domain e (host:
// the Host as a domain name). What reaches no API stage of the domain is
// answered 403 {"message":"Forbidden"} [D: status; C: body, Zappa#1248].
func (d *Door) serveDomain(ctx context.Context, tb *table, e *domainEntry, host string, req pipeline.Request, resp pipeline.Response, path string) {
	at := pipeline.Address{DomainName: host, Path: path}
	if e.strict || e.auth != nil {
		st := tlsState(req)
		// The connection must have been negotiated for this domain: STRICT
		// wants the SNI name to be the Host [D]; mutual TLS must not be
		// bypassed by a connection made for another name, or without TLS
		// (Tollgate choice).
		if st == nil || (e.strict && !strings.EqualFold(st.ServerName, host)) ||
			(e.auth != nil && tb.domains.lookup(hostName(st.ServerName)) != e) {
			refuse(resp, pipeline.ErrForbidden)
			return
		}
		if e.auth != nil {
			cc, err := e.auth.Verify(st.PeerCertificates)
			if err != nil {
				// A missing, untrusted or expired certificate: 403
				// Forbidden after the handshake, and nothing behind the
				// domain runs (Tollgate choice among AWS's two
				// descriptions, a failed handshake or a 403 [D]).
				d.logf("mutual TLS: access denied", "domain", e.name, "reason", err)
				refuse(resp, pipeline.ErrForbidden)
				return
			}
			at.ClientCert = cc
		}
	}
	if path == "/ping" || path == "/sping" {
		// The domain's reserved health checks [D] (answer: Tollgate choice).
		id, ext := pipeline.NewRequestIDs()
		resp.SetHeader("x-amzn-RequestId", id)
		resp.SetHeader("x-amz-apigw-id", ext)
		resp.SetStatus(200)
		return
	}
	m, ok := e.match(req, path)
	var t pipeline.Target
	if ok {
		t = tb.apis[m.apiID][m.stage]
	}
	if t == nil {
		// Unmapped, or mapped to a stage that is not deployed [U].
		refuse(resp, pipeline.ErrForbidden)
		return
	}
	at.APIID, at.StageName, at.Domain = m.apiID, m.stage, m.route
	at.StagePath, at.RawStagePath = m.rest, m.rest
	if strings.HasPrefix(m.rest, "//") {
		at.StagePath = "/" + strings.TrimLeft(m.rest, "/")
	}
	t.Serve(ctx, req, resp, at)
}

// SetDomain publishes a custom domain name, replacing the one of the same
// name; requests in flight finish on the table they started with.
func (d *Door) SetDomain(dom *Domain) {
	e := compileDomain(dom)
	d.swapDomains(func(ds *domains) {
		if name, ok := strings.CutPrefix(e.name, "*."); ok {
			ds.wild[name] = e
		} else {
			ds.exact[e.name] = e
		}
	})
}

// RemoveDomain stops serving a custom domain name.
func (d *Door) RemoveDomain(name string) {
	d.swapDomains(func(ds *domains) {
		if suffix, ok := strings.CutPrefix(name, "*."); ok {
			delete(ds.wild, suffix)
		} else {
			delete(ds.exact, name)
		}
	})
}

// Domains returns the names of the custom domains served.
func (d *Door) Domains() []string {
	var out []string
	if tb := d.table.Load(); tb != nil && tb.domains != nil {
		for name := range tb.domains.exact {
			out = append(out, name)
		}
		for suffix := range tb.domains.wild {
			out = append(out, "*."+suffix)
		}
	}
	return out
}

// swapDomains publishes a table whose domains are a copy of the current
// ones changed by fn, and the same APIs.
func (d *Door) swapDomains(fn func(*domains)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.table.Load()
	ds := &domains{exact: map[string]*domainEntry{}, wild: map[string]*domainEntry{}}
	if prev := old.domainTable(); prev != nil {
		for k, v := range prev.exact {
			ds.exact[k] = v
		}
		for k, v := range prev.wild {
			ds.wild[k] = v
		}
	}
	fn(ds)
	if len(ds.exact)+len(ds.wild) == 0 {
		ds = nil
	}
	d.table.Store(&table{apis: old.all(), domains: ds})
}

// domainTable returns the table's domains (nil for a nil table).
func (tb *table) domainTable() *domains {
	if tb == nil {
		return nil
	}
	return tb.domains
}

// logf records why a request was refused, at debug level as the other
// refusals are (a client without a certificate could fill the log).
func (d *Door) logf(msg string, args ...any) {
	if d.Log != nil {
		d.Log.Debug(msg, args...)
	}
}
