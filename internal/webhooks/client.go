package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// errRedirect stops redirects: a subscription receives at the URL it gave.
var errRedirect = errors.New("webhook endpoints must not redirect")

// Client is the HTTP client deliveries go through: it follows no redirect
// and, unless allowPrivate (the local stack, whose receivers are on
// loopback), connects only to public addresses. The check runs when the
// connection is made, after DNS, so a name cannot point a subscription at the
// network Switchboard runs in (instance metadata included).
func Client(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("webhook endpoint %s: %w", address, err)
			}
			if ip := ap.Addr().Unmap(); !public(ip) {
				return fmt.Errorf("webhook endpoint %s is not a public address", ip)
			}
			return nil
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	transport.Proxy = nil
	return &http.Client{
		Timeout:       timeout,
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return errRedirect },
	}
}

// public is the rule subscriptions are checked with when they are made.
func public(ip netip.Addr) bool { return tenancy.PublicAddress(ip) }
