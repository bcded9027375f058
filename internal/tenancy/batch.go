package tenancy

import (
	"context"
	"sync"
	"time"
)

// MaxBatchInvitations bounds the customers one batch invites.
const MaxBatchInvitations = 100

// batchWorkers bounds the invitations of one batch in flight at once.
const batchWorkers = 8

// InviteeRef names a customer to invite: a tenant id or a domain.
type InviteeRef struct {
	TenantID string
	Domain   string
}

// BatchInvitation invites many customers from one template.
type BatchInvitation struct {
	Template  string
	To        []InviteeRef
	ExpiresIn *time.Duration
}

// BatchResult is one customer's outcome, in the order asked: the invitation
// created, the one from the template still pending to that customer
// (Existing: nothing new was sent), or the error that refused this entry
// alone.
type BatchResult struct {
	To         InviteeRef
	Invitation Invitation
	Existing   bool
	Err        error
}

// InviteBatch sends one invitation per customer from one of the caller's
// tenant's templates. What concerns the whole request — the template, the
// caller's authority, the number of entries — refuses it all; everything
// else is answered per entry, so one customer that cannot be invited does
// not stop the others. An entry naming the same customer as an earlier one
// is refused; one whose customer already has a pending invitation from the
// template answers that invitation (Existing), so re-sending a batch sends
// nothing twice.
func (s *Service) InviteBatch(ctx context.Context, c Caller, in BatchInvitation) ([]BatchResult, error) {
	if !idPattern.MatchString(in.Template) {
		return nil, invalid("template", "%q is not a template id", in.Template)
	}
	if len(in.To) == 0 {
		return nil, invalid("to", "name at least one customer")
	}
	if len(in.To) > MaxBatchInvitations {
		return nil, invalid("to", "%d customers; a batch invites at most %d (MaxBatchInvitations): split it", len(in.To), MaxBatchInvitations)
	}
	expiresIn, err := within("expiresIn", in.ExpiresIn, DefaultInviteExpiry, MinInviteExpiry, MaxInviteExpiry)
	if err != nil {
		return nil, err
	}
	tpl, inviter, err := s.templateToSend(ctx, c, in.Template)
	if err != nil {
		return nil, err
	}
	out := make([]BatchResult, len(in.To))
	targets := make([]invitee, len(in.To))
	named := map[invitee]int{}
	for i, ref := range in.To {
		out[i].To = ref
		to, err := checkInvitee(NewInvitation{ToTenant: ref.TenantID, ToDomain: ref.Domain})
		if err != nil {
			out[i].Err = err
			continue
		}
		key := invitee{tenantID: to.tenantID, domain: to.domain}
		if first, dup := named[key]; dup {
			out[i].Err = invalid(to.field, "names the same customer as entry %d", first)
			continue
		}
		named[key] = i
		targets[i] = to
	}
	// A tenant id and a domain may name the same customer: the customers are
	// resolved first, and a later entry for one already named is refused.
	customers := make([]Tenant, len(in.To))
	parallel(len(in.To), func(i int) {
		if out[i].Err == nil {
			customers[i], out[i].Err = s.customerFor(ctx, inviter, targets[i])
		}
	})
	seen := map[string]int{}
	for i := range out {
		if out[i].Err != nil {
			continue
		}
		if first, dup := seen[customers[i].ID]; dup {
			out[i].Err = invalid(targets[i].field, "names the same customer as entry %d", first)
			continue
		}
		seen[customers[i].ID] = i
	}
	parallel(len(in.To), func(i int) {
		if out[i].Err == nil {
			out[i].Invitation, out[i].Existing, out[i].Err = s.inviteFromTemplate(ctx, c, inviter, tpl, customers[i], expiresIn)
		}
	})
	return out, nil
}

// parallel runs do for 0 … n-1, batchWorkers at a time.
func parallel(n int, do func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, batchWorkers)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			do(i)
		}()
	}
	wg.Wait()
}
