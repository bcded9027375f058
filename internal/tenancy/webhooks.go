package tenancy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
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
	ID         string    `json:"id"`
	TenantID   string    `json:"tenantId"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"eventTypes"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"createdAt"`
	CreatedBy  Actor     `json:"createdBy"`
	// Secret signs deliveries; it is answered once, when the subscription is made.
	Secret              string     `json:"secret,omitempty"`
	ConsecutiveFailures int        `json:"consecutiveFailures"`
	LastError           string     `json:"lastError,omitempty"`
	LastDeliveryAt      *time.Time `json:"lastDeliveryAt,omitempty"`
	DisabledAt          *time.Time `json:"disabledAt,omitempty"`
	Version             int        `json:"-"`
}

// Wants reports whether the subscription takes events of type t.
func (w Webhook) Wants(t string) bool { return w.Status == WebhookActive && contains(w.EventTypes, t) }

// WebhookDelivery is one attempt to deliver one event.
type WebhookDelivery struct {
	WebhookID  string        `json:"webhookId"`
	EventID    string        `json:"eventId"`
	EventType  string        `json:"eventType"`
	Attempt    int           `json:"attempt"`
	At         time.Time     `json:"at"`
	StatusCode int           `json:"statusCode,omitempty"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"durationNs"`
	Delivered  bool          `json:"delivered"`
}

// webhookStore is what webhook subscriptions need from persistence.
type webhookStore interface {
	CreateWebhook(ctx context.Context, w Webhook) error
	ListWebhooks(ctx context.Context, tenant string) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, tenant, id string) error
	ListDeliveries(ctx context.Context, webhookID string, page Page) (List[WebhookDelivery], error)
}

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
	existing, err := s.store.ListWebhooks(ctx, tenant)
	if err != nil {
		return Webhook{}, err
	}
	if len(existing) >= MaxWebhooks {
		return Webhook{}, conflict("tenant %s has %d webhooks, the most it may have", tenant, MaxWebhooks)
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return Webhook{}, err
	}
	w := Webhook{ID: s.newID(), TenantID: tenant, URL: in.URL, EventTypes: types, Status: WebhookActive, CreatedAt: s.now(),
		CreatedBy: c.Actor(), Secret: "whsec_" + base64.StdEncoding.EncodeToString(secret), Version: 1}
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return Webhook{}, err
	}
	return w, nil
}

func syncType(t string) bool {
	for _, st := range events.SyncTypes {
		if string(st) == t {
			return true
		}
	}
	return false
}

func (s *Service) checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "" || err != nil || u.Host == "" || !u.IsAbs():
		return invalid("url", "%q is not an absolute URL", raw)
	case len(raw) > 2048:
		return invalid("url", "longer than 2048 characters")
	case u.User != nil:
		return invalid("url", "must not carry credentials; deliveries are signed instead")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && s.allowHTTPWebhooks:
		return nil
	}
	return invalid("url", "must use https")
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

// DeleteWebhook ends a subscription.
func (s *Service) DeleteWebhook(ctx context.Context, c Caller, tenant, id string) error {
	if err := s.authorize(ctx, c, tenant, "relationships.manage"); err != nil {
		return err
	}
	return s.store.DeleteWebhook(ctx, tenant, id)
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
