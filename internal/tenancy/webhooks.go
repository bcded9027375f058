package tenancy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard/switchboard/events"
)

// Webhook states.
const (
	WebhookActive   = "active"
	WebhookDisabled = "disabled"
)

// MaxWebhooks bounds a tenant's subscriptions.
const MaxWebhooks = 25

// Webhook is a tenant's subscription to relationship and assignment events,
// delivered signed per the Standard Webhooks convention.
type Webhook struct {
	ID         string
	TenantID   string
	URL        string
	EventTypes []string
	Status     string
	CreatedAt  time.Time
	CreatedBy  Actor
	// Secret signs deliveries; it is answered once, when the subscription is made.
	Secret              string
	ConsecutiveFailures int
	LastError           string
	LastDeliveryAt      *time.Time
	DisabledAt          *time.Time
	Version             int
}

// Wants reports whether the subscription takes events of type t.
func (w Webhook) Wants(t string) bool { return w.Status == WebhookActive && contains(w.EventTypes, t) }

// WebhookDelivery is one attempt to deliver one event.
type WebhookDelivery struct {
	WebhookID  string
	EventID    string
	EventType  string
	Attempt    int
	At         time.Time
	StatusCode int
	Error      string
	Duration   time.Duration
	Delivered  bool
}

// ErrWebhookLimit: the tenant has MaxWebhooks subscriptions already.
var ErrWebhookLimit = errors.New("the tenant has the most webhooks it may have")

// webhookStore is what webhook subscriptions need from persistence.
type webhookStore interface {
	// CreateWebhook writes the subscription with its events while the
	// tenant has fewer than limit (atomically: ErrWebhookLimit otherwise);
	// ErrConflict when a concurrent change came first.
	CreateWebhook(ctx context.Context, w Webhook, limit int, msgs []events.Message) error
	ListWebhooks(ctx context.Context, tenant string) ([]Webhook, error)
	// DeleteWebhook removes the subscription with its events; ErrNotFound
	// when it is gone, ErrConflict when a concurrent change came first.
	DeleteWebhook(ctx context.Context, tenant, id string, msgs []events.Message) error
	ListDeliveries(ctx context.Context, webhookID string, page Page) (List[WebhookDelivery], error)
}

// webhookTries bounds the attempts of a subscription change that keeps
// losing the tenant's count to concurrent changes (each waits a random time
// up to webhookBackoff, doubling to at most webhookMaxBackoff): enough for
// dozens of creates racing for the same tenant's last places.
const (
	webhookTries      = 30
	webhookBackoff    = 4 * time.Millisecond
	webhookMaxBackoff = 100 * time.Millisecond
)

// NewWebhook is the request to subscribe.
type NewWebhook struct {
	URL        string
	EventTypes []string
}

// CreateWebhook subscribes the tenant's endpoint; the answer carries the
// signing secret, the only time it is shown. It needs relationships.manage in
// the tenant, which only its own people hold.
func (s *Service) CreateWebhook(ctx context.Context, c Caller, tenant string, in NewWebhook) (Webhook, error) {
	if err := s.authorize(ctx, c, tenant, "relationships.manage"); err != nil {
		return Webhook{}, err
	}
	if err := s.checkWebhookURL(in.URL); err != nil {
		return Webhook{}, err
	}
	types := dedupe(in.EventTypes)
	if len(types) == 0 {
		for _, t := range events.SyncTypes {
			types = append(types, string(t))
		}
	}
	var unknown []string
	for _, t := range types {
		if !syncType(t) {
			unknown = append(unknown, t)
		}
	}
	if len(unknown) > 0 {
		return Webhook{}, &ValidationError{Field: "eventTypes", Reason: "not among the events webhooks carry", Values: unknown}
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return Webhook{}, err
	}
	w := Webhook{ID: s.newID(), TenantID: tenant, URL: in.URL, EventTypes: types, Status: WebhookActive, CreatedAt: s.now(),
		CreatedBy: c.Actor(), Secret: "whsec_" + base64.StdEncoding.EncodeToString(secret)}
	err := s.retryWebhookChange(ctx, func() ([]events.Message, error) {
		msgs, err := encode(events.WebhookCreated{Meta: s.meta(actorOf(c), c.RequestID, "", tenant), Webhook: webhookView(w)})
		if err != nil {
			return nil, err
		}
		return msgs, s.store.CreateWebhook(ctx, w, MaxWebhooks, msgs)
	})
	if errors.Is(err, ErrWebhookLimit) {
		return Webhook{}, conflict("tenant %s has %d webhooks, the most it may have", tenant, MaxWebhooks)
	}
	if err != nil {
		return Webhook{}, err
	}
	return w, nil
}

// retryWebhookChange makes a subscription change, again (with fresh events:
// each commit's idempotency token comes from its first event) while it
// loses the tenant's count to a concurrent change, and publishes the events
// of the one that commits.
func (s *Service) retryWebhookChange(ctx context.Context, change func() ([]events.Message, error)) error {
	wait := webhookBackoff
	for try := 1; ; try++ {
		msgs, err := change()
		if err == nil {
			s.publish(ctx, msgs)
			return nil
		}
		if !errors.Is(err, ErrConflict) {
			return err
		}
		if try == webhookTries {
			return conflict("the tenant's webhooks were changed by concurrent requests; try again")
		}
		jitter, _ := rand.Int(rand.Reader, big.NewInt(int64(wait)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(jitter.Int64()) + time.Millisecond):
		}
		wait = min(2*wait, webhookMaxBackoff)
	}
}

func webhookView(w Webhook) events.Webhook {
	return events.Webhook{ID: w.ID, TenantID: w.TenantID, URL: w.URL, EventTypes: w.EventTypes}
}

func syncType(t string) bool {
	for _, st := range events.SyncTypes {
		if string(st) == t {
			return true
		}
	}
	return false
}

// checkWebhookURL refuses a subscription URL that is not absolute, carries
// credentials or a fragment, names a host of invalid syntax or a port outside
// 1-65535; a deployed stack also refuses plain http and hosts that are
// loopback, private or otherwise not public addresses (names are checked
// again, after DNS, when a delivery connects).
func (s *Service) checkWebhookURL(raw string) error {
	if raw == "" {
		return invalid("url", "is required")
	}
	if len(raw) > 2048 {
		return invalid("url", "longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Host == "" {
		return invalid("url", "%q is not an absolute URL such as https://hooks.example.com/switchboard", raw)
	}
	if u.User != nil {
		return invalid("url", "must not carry credentials; deliveries are signed instead")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return invalid("url", "must not carry a fragment")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.allowHTTPWebhooks:
	default:
		return invalid("url", "must use https")
	}
	host, port := u.Hostname(), u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return invalid("url", "%q has an empty port", raw)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return invalid("url", "port %s is not a port from 1 to 65535", port)
		}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return invalid("url", "%q: an address with a zone is not reachable from Switchboard", host)
		}
		if !s.allowHTTPWebhooks && !PublicAddress(ip) {
			return invalid("url", "%s is not a public address", ip)
		}
		return nil
	}
	name := strings.ToLower(host)
	if strings.Contains(u.Host, "[") || !hostPattern.MatchString(name) || len(name) > 253 {
		return invalid("url", "%q is not a host name (letters, digits and dashes in dot-separated labels; write international names in their xn-- form)", host)
	}
	if !s.allowHTTPWebhooks && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
		return invalid("url", "%s is not a public address", host)
	}
	return nil
}

// hostPattern is a DNS host name: dot-separated labels of letters, digits
// and inner dashes, 1-63 characters each, no trailing dot.
var hostPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// cgnat is the shared address space (RFC 6598), which no public endpoint uses.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// PublicAddress reports whether a webhook may be delivered to ip in a
// deployed stack: a global unicast address that is neither private nor in
// the shared address space (so never loopback, link-local — instance
// metadata included — or the network Switchboard runs in).
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !cgnat.Contains(ip)
}

// ListWebhooks answers the tenant's subscriptions, without their secrets.
func (s *Service) ListWebhooks(ctx context.Context, c Caller, tenant string) ([]Webhook, error) {
	if err := s.authorize(ctx, c, tenant, "relationships.manage"); err != nil {
		return nil, err
	}
	list, err := s.store.ListWebhooks(ctx, tenant)
	for i := range list {
		list[i].Secret = ""
	}
	return list, err
}

// DeleteWebhook ends a subscription, with a WebhookDeleted event.
func (s *Service) DeleteWebhook(ctx context.Context, c Caller, tenant, id string) error {
	if err := s.authorize(ctx, c, tenant, "relationships.manage"); err != nil {
		return err
	}
	subs, err := s.store.ListWebhooks(ctx, tenant)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(subs, func(w Webhook) bool { return w.ID == id })
	if i < 0 {
		return notFound("webhook", id)
	}
	return s.retryWebhookChange(ctx, func() ([]events.Message, error) {
		msgs, err := encode(events.WebhookDeleted{Meta: s.meta(actorOf(c), c.RequestID, "", tenant), Webhook: webhookView(subs[i])})
		if err != nil {
			return nil, err
		}
		return msgs, s.store.DeleteWebhook(ctx, tenant, id, msgs)
	})
}

// ListWebhookDeliveries answers the recorded delivery attempts of one
// subscription, newest first.
func (s *Service) ListWebhookDeliveries(ctx context.Context, c Caller, tenant, id string, page Page) (List[WebhookDelivery], error) {
	if err := s.authorize(ctx, c, tenant, "relationships.manage"); err != nil {
		return List[WebhookDelivery]{}, err
	}
	subs, err := s.store.ListWebhooks(ctx, tenant)
	if err != nil {
		return List[WebhookDelivery]{}, err
	}
	for _, w := range subs {
		if w.ID == id {
			return s.store.ListDeliveries(ctx, id, page)
		}
	}
	return List[WebhookDelivery]{}, notFound("webhook", id)
}
