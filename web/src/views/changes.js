// Change requests: a partner asks the customer to widen an active
// relationship (roles, scope, a longer term, auto-extension); the customer
// approves it — all of it or part — or declines. One relationship's requests
// show on its page; the customer's inbox gathers the pending ones of every
// partner.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { page, post, enc } from '../api.js';
import { claims } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Checks, Chips, When, ConfirmButton, Done, useAction, lines } from '../ui.js';
import { useRoles } from './roles.js';

function asked(cr) {
  const parts = [];
  if (cr.duration) parts.push(`duration ${cr.duration}`);
  if (cr.autoExtend) parts.push(`auto-extend by ${cr.autoExtend}`);
  return parts.join(', ');
}

// ChangeRequests lists one relationship's requests, newest first; the
// customer answers a pending one in place.
export function ChangeRequests({ rel, gen, partnerSide, onAnswered }) {
  const [answered, setAnswered] = useState(0);
  return html`<${Paged} label="change requests" empty="No change request." deps=${[rel.id, gen, answered]}
    load=${(cursor) => page(`/relationships/${enc(rel.id)}/change-requests`, { limit: 10 }, cursor)}>
    ${(items) => html`<ul class="plain change-requests">${items.map((cr) => html`<li class="card change-request" data-cr=${cr.id}>
      <${RequestFacts} cr=${cr} />
      ${!partnerSide && cr.status === 'pending' && rel.status === 'active' && html`<${Answer} rel=${rel} cr=${cr}
        onAnswered=${() => { setAnswered((n) => n + 1); onAnswered(); }} />`}
    </li>`)}</ul>`}
  <//>`;
}

function RequestFacts({ cr }) {
  return html`<p><span class=${`badge ${cr.status}`}>${cr.status}</span> asked by ${cr.createdBy.user} (${cr.createdBy.tenant}), <${When} at=${cr.createdAt} />
      ${cr.status === 'pending' && html`; answer by <${When} at=${cr.expiresAt} />`}</p>
    <dl class="facts">
      <dt>Roles to add</dt><dd><${Chips} items=${cr.roles} /></dd>
      <dt>Scope to add</dt><dd><${Chips} items=${cr.scope} /></dd>
      ${asked(cr) && html`<dt>Also</dt><dd>${asked(cr)}</dd>`}
      ${cr.status === 'approved' && html`<dt>Granted</dt><dd><${Chips} items=${[...cr.approvedRoles, ...cr.approvedScope]} /></dd>`}
      ${cr.answeredBy && html`<dt>Answered by</dt><dd>${cr.answeredBy.user} (${cr.answeredBy.tenant}), <${When} at=${cr.updatedAt} /></dd>`}
    </dl>`;
}

// Answer approves what the customer keeps checked (all, as asked, by
// default) or declines.
function Answer({ rel, cr, onAnswered }) {
  const [roles, setRoles] = useState(cr.roles);
  const [scope, setScope] = useState(cr.scope.join('\n'));
  const act = useAction();
  const approve = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = {};
      if (roles.length !== cr.roles.length) body.roles = roles;
      const sc = lines(scope);
      if (cr.scope.length && sc.join('\n') !== cr.scope.join('\n')) body.scope = sc;
      const res = await post(`/relationships/${enc(rel.id)}/change-requests/${enc(cr.id)}/approve`, body);
      onAnswered();
      return res;
    });
  };
  const decline = () => act.run(async () => {
    await post(`/relationships/${enc(rel.id)}/change-requests/${enc(cr.id)}/decline`, {});
    onAnswered();
  });
  const title = `answer-${cr.id}`;
  return html`<form onSubmit=${approve} aria-labelledby=${title}>
    <h3 id=${title}>Answer ${rel.partnerName}'s request</h3>
    ${cr.roles.length > 0 && html`<${Checks} legend="Roles to grant: uncheck to leave one out" name="approveRoles" selected=${roles} onChange=${setRoles}
      options=${cr.roles.map((r) => ({ value: r }))} />`}
    ${cr.scope.length > 0 && html`<${Field} label="Scope to grant" hint=${`One pattern a line, inside ${cr.scope.join(', ')}; empty grants none of it.`}>
      <textarea name="approveScope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
    <//>`}
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Answering…" />`}
    <div class="actions">
      <${ConfirmButton} label=${`Decline ${rel.partnerName}'s request`} text="Decline" busy=${act.busy}
        question=${`Decline what ${rel.partnerName} asked? The relationship stays as it is; they may ask again.`} confirm="Decline" onConfirm=${decline} />
      <button type="submit" disabled=${act.busy}>Approve</button>
    </div>
  </form>`;
}

// AskForChange is the partner's form: built-in roles the ceiling lacks,
// scope patterns beyond it, a longer term, auto-extension.
export function AskForChange({ rel, onAsked }) {
  const roles = useRoles(claims.value.tid);
  const [picked, setPicked] = useState([]);
  const [scope, setScope] = useState('');
  const [duration, setDuration] = useState('');
  const [autoExtend, setAutoExtend] = useState('');
  const [expiresIn, setExpiresIn] = useState('P14D');
  const act = useAction();
  const held = rel.ceiling.map((c) => c.id);
  const offered = (roles.data?.items || []).filter((r) => r.builtIn && !held.includes(r.id));
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { expiresIn };
      if (picked.length) body.roles = picked;
      const sc = lines(scope);
      if (sc.length) body.scope = sc;
      if (duration.trim()) body.duration = duration.trim();
      if (autoExtend.trim()) body.autoExtend = autoExtend.trim();
      const cr = await post(`/relationships/${enc(rel.id)}/change-requests`, body);
      setPicked([]); setScope(''); setDuration(''); setAutoExtend('');
      onAsked();
      return cr;
    });
  };
  const empty = !picked.length && !lines(scope).length && !duration.trim() && !autoExtend.trim();
  return html`<form class="card scroll-checks" onSubmit=${submit} aria-labelledby="ask-title">
    <h3 id="ask-title">Ask ${rel.customerName} for more</h3>
    <${ErrorNote} error=${roles.error} />
    <${Checks} legend="Roles to add to the ceiling" name="askRoles" selected=${picked} onChange=${setPicked}
      options=${offered.map((r) => ({ value: r.id, label: `${r.name} (${r.id})`, hint: `${r.permissions.length} permissions` }))} />
    <${Field} label="Scope to add (optional)" hint=${`One pattern a line, beyond ${rel.scope.join(', ')}.`}>
      <textarea name="askScope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
    <//>
    <div class="row">
      <${Field} label="New duration (optional)" hint="From the start, up to P730D."><input name="askDuration" value=${duration} onInput=${(e) => setDuration(e.target.value)} /><//>
      <${Field} label="Auto-extend by (optional)" hint="e.g. P180D; not with global-admin."><input name="askAutoExtend" value=${autoExtend} onInput=${(e) => setAutoExtend(e.target.value)} /><//>
      <${Field} label="Answer within" hint="PT1H to P90D."><input name="askExpiresIn" value=${expiresIn} onInput=${(e) => setExpiresIn(e.target.value)} /><//>
    </div>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Asking…" />`}
    ${act.result && html`<${Done}>Asked ${rel.customerName}; it can answer until <${When} at=${act.result.expiresAt} />.<//>`}
    <button type="submit" disabled=${act.busy || empty}>Send change request</button>
  </form>`;
}

// Inbox: the customer's pending change requests across its partners. There
// is no aggregated route, so each page of active relationships is read with
// the first page of each one's requests.
export function ChangeRequestInbox() {
  const [gen, setGen] = useState(0);
  return html`<section>
    <h1>Change requests</h1>
    <p class="lead">What your partners asked for beyond what you allowed them. Approve a request — or only part of it — or decline it.</p>
    <${Paged} label="partners" empty="No change request is waiting." deps=${[gen]}
      load=${async (cursor) => {
        const rels = await page('/relationships', { side: 'customer', status: 'active', limit: 25 }, cursor);
        const withCRs = await Promise.all(rels.items.map(async (rel) => {
          const crs = await page(`/relationships/${enc(rel.id)}/change-requests`, { limit: 10 });
          return crs.items.filter((cr) => cr.status === 'pending').map((cr) => ({ rel, cr }));
        }));
        return { items: withCRs.flat(), nextCursor: rels.nextCursor };
      }}>
      ${(items) => html`<ul class="plain change-requests">${items.map(({ rel, cr }) => html`<li class="card change-request" data-cr=${cr.id}>
        <h2><a href=${`/console/partners/${rel.id}`}>${rel.partnerName}</a> <span class="muted">${rel.partnerTenantId}</span></h2>
        <p class="hint">Holds now: <${Chips} items=${rel.ceiling.map((c) => c.id)} /> on <${Chips} items=${rel.scope} /></p>
        <${RequestFacts} cr=${cr} />
        <${Answer} rel=${rel} cr=${cr} onAnswered=${() => setGen((n) => n + 1)} />
      </li>`)}</ul>`}
    <//>
  </section>`;
}
