// Invitations: the ones a tenant sent (new, cancel) and the ones waiting for
// it (seed 001: review the details, name the primary admins, accept or
// decline — and, as a customer, narrow the roles and the scope first).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { page, post, del, find, enc } from '../api.js';
import { claims, isMSP, accepted } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Checks, Chips, When, ConfirmButton, Done, useAction, useLoad, lines } from '../ui.js';
import { useRoles } from './roles.js';
import { listTemplates } from './templates.js';

const statuses = ['', 'pending', 'accepted', 'declined', 'cancelled', 'expired'];

export function SentInvitations() {
  const [status, setStatus] = useState('pending');
  const [gen, setGen] = useState(0);
  const cancel = useAction();
  return html`<section>
    <h1>Sent invitations</h1>
    <p class="lead">Invitations your tenant sent; only the invited tenant can accept or decline them.</p>
    <${NewInvitation} onSent=${() => setGen(gen + 1)} />
    <h2>Sent</h2>
    <${Field} label="Status">
      <select name="status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        ${statuses.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}
      </select>
    <//>
    <${ErrorNote} error=${cancel.error} />
    ${cancel.busy && html`<${Progress} label="Cancelling…" />`}
    <${Paged} label="invitations" empty="No invitations." deps=${[status, gen, cancel.result]}
      load=${(cursor) => page('/invitations', { direction: 'outgoing', status, limit: 25 }, cursor)}>
      ${(items) => html`<table>
        <thead><tr><th scope="col">To</th><th scope="col">Status</th><th scope="col">Ceiling</th><th scope="col">Scope</th><th scope="col">Duration</th><th scope="col">Answer by</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${items.map((i) => html`<tr>
          <th scope="row">${i.toTenantId} <span class="muted">as ${i.as === 'partner' ? 'its partner' : 'its customer'}${i.templateId ? `, from ${i.templateId}` : ''}</span></th>
          <td><span class=${`badge ${i.status}`}>${i.status}</span></td>
          <td><${Chips} items=${i.roles} /></td>
          <td><${Chips} items=${i.scope} /></td>
          <td>${i.duration}${i.autoExtend ? `, extends by ${i.autoExtend}` : ''}</td>
          <td><${When} at=${i.expiresAt} /></td>
          <td>${i.status === 'pending' && html`<${ConfirmButton} label=${`Cancel invitation to ${i.toTenantId}`} text="Cancel" busy=${cancel.busy}
            question=${`Cancel the invitation to ${i.toTenantId}? It can no longer be accepted.`} confirm="Cancel invitation"
            onConfirm=${() => cancel.run(async () => { await del(`/invitations/${enc(i.id)}`); return i.id; })} />`}</td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </section>`;
}

// recipient reads one line of the recipients box: tenant ids never hold a
// dot (^[a-z0-9][a-z0-9-]*$), domains always do.
export function recipient(line) {
  return line.includes('.') ? { domain: line } : { tenantId: line };
}
const named = (to) => to.tenantId || to.domain;

// NewInvitation sends from scratch or from a template, to one customer or
// many: many from a template is one POST /invitations/batch; many from
// scratch is one POST /invitations each, in turn. Either way each customer's
// outcome is listed, failures with their problem's detail.
function NewInvitation({ onSent }) {
  const me = claims.value.tid;
  const { query: q } = useLocation();
  const roles = useRoles(me);
  const templates = useLoad(() => (isMSP.value ? listTemplates(undefined, 100) : Promise.resolve({ items: [] })), [me, isMSP.value]);
  const [source, setSource] = useState(q.template ? 'template' : 'scratch');
  const [template, setTemplate] = useState(q.template || '');
  const [to, setTo] = useState('');
  const [as, setAs] = useState(isMSP.value ? 'partner' : 'customer');
  const [picked, setPicked] = useState([]);
  const [scope, setScope] = useState('*');
  const [duration, setDuration] = useState('P365D');
  const [autoExtend, setAutoExtend] = useState('');
  const [requireMfa, setRequireMfa] = useState(false);
  const [expiresIn, setExpiresIn] = useState('P14D');
  const [sending, setSending] = useState('');
  const act = useAction();
  // A partner proposes built-in roles; a customer may also offer its own.
  const offered = (roles.data?.items || []).filter((r) => r.builtIn || as === 'customer');
  const tpls = templates.data?.items || [];
  const tpl = tpls.find((t) => t.id === template);
  const recipients = lines(to).map(recipient);
  const fromTemplate = source === 'template';
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      let out;
      if (fromTemplate && recipients.length > 1) {
        setSending(`Sending ${recipients.length} invitations from ${template}…`);
        out = await post('/invitations/batch', { template, to: recipients, expiresIn });
      } else {
        const results = [];
        for (const [index, r] of recipients.entries()) {
          setSending(recipients.length > 1 ? `Sending ${index + 1} of ${recipients.length}…` : 'Sending…');
          const body = fromTemplate ? { to: r, template, expiresIn }
            : { to: r, as, roles: picked, scope: lines(scope), duration, requireMfa, expiresIn, ...(autoExtend.trim() ? { autoExtend: autoExtend.trim() } : {}) };
          try {
            const inv = await post('/invitations', body);
            results.push({ index, to: r, status: 201, result: 'created', invitationId: inv.id, toTenantId: inv.toTenantId, expiresAt: inv.expiresAt });
          } catch (err) {
            if (recipients.length === 1 || !err.status) throw err; // one: the form's error; network: stop
            results.push({ index, to: r, status: err.status, error: { ...err.problem, detail: err.message } });
          }
        }
        out = { results, created: results.filter((x) => x.result === 'created').length, pending: 0, failed: results.filter((x) => x.error).length };
      }
      if (out.created) { setTo(''); onSent(); }
      return out;
    });
  };
  const ready = recipients.length > 0 && (fromTemplate ? !!tpl : picked.length > 0);
  return html`<form class="card" onSubmit=${submit} aria-labelledby="new-inv">
    <h2 id="new-inv">New invitation</h2>
    ${isMSP.value && html`<fieldset class="inline">
      <legend>Start from</legend>
      <label class="check"><input type="radio" name="source" value="scratch" checked=${!fromTemplate} onChange=${() => setSource('scratch')} /> scratch</label>
      <label class="check"><input type="radio" name="source" value="template" checked=${fromTemplate} onChange=${() => setSource('template')} /> a template</label>
    </fieldset>`}
    <${Field} label="To" hint="One customer a line, or many: a tenant id (fabrikam) or a domain (fabrikam.example). Each is invited alone; one refused does not stop the others.">
      <textarea name="to" rows="3" required value=${to} placeholder="fabrikam" onInput=${(e) => setTo(e.target.value)} />
    <//>
    ${fromTemplate ? html`
      <${ErrorNote} error=${templates.error} />
      <${Field} label="Template" hint=${tpls.length ? 'Its terms and group mappings are copied into each invitation as they are now.' : 'Your tenant has no template yet.'}>
        <select name="template" value=${template} onChange=${(e) => setTemplate(e.target.value)}>
          <option value="">choose a template</option>
          ${tpls.map((t) => html`<option value=${t.id}>${t.name} (${t.id})</option>`)}
          ${template && !tpl && !templates.loading && html`<option value=${template}>${template} (not found)</option>`}
        </select>
      <//>
      ${tpl && html`<dl class="facts" data-testid="template-terms">
        <dt>Ceiling</dt><dd><${Chips} items=${tpl.roles} /></dd>
        <dt>Scope</dt><dd><${Chips} items=${tpl.scope} /></dd>
        <dt>Terms</dt><dd>${tpl.duration}${tpl.autoExtend ? `, extends by ${tpl.autoExtend}` : ''}${tpl.requireMfa ? ', MFA required' : ''}</dd>
        <dt>Group mappings</dt><dd>${tpl.groupMappings.length ? tpl.groupMappings.map((m) => html`<div><code>${m.principal}</code> → ${m.roles.join(', ')}${m.scope?.length ? ` on ${m.scope.join(', ')}` : ''}</div>`) : 'none'}</dd>
      </dl>`}`
    : html`
      <${Field} label="Your tenant's side" hint="The partner side must hold the MSP licence.">
        <select name="as" value=${as} onChange=${(e) => setAs(e.target.value)}>
          <option value="partner">partner (we manage them)</option>
          <option value="customer">customer (they manage us)</option>
        </select>
      <//>
      <${ErrorNote} error=${roles.error} />
      <${Checks} legend="Ceiling: the roles the partner may hold" name="roles" selected=${picked} onChange=${setPicked}
        options=${offered.map((r) => ({ value: r.id, label: `${r.name} (${r.id})`, hint: `${r.permissions.length} permissions` }))} />
      <${Field} label="Scope" hint="One resource pattern a line, e.g. /sites/eu/*; * is the whole tenant.">
        <textarea name="scope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
      <//>
      <div class="row">
        <${Field} label="Duration" hint="P1D to P730D."><input name="duration" value=${duration} onInput=${(e) => setDuration(e.target.value)} /><//>
        <${Field} label="Auto-extend by (optional)" hint="e.g. P180D."><input name="autoExtend" value=${autoExtend} onInput=${(e) => setAutoExtend(e.target.value)} /><//>
      </div>
      <label class="check"><input type="checkbox" name="requireMfa" checked=${requireMfa} onChange=${(e) => setRequireMfa(e.target.checked)} />
        <span>Partner people must sign in with MFA</span></label>`}
    <${Field} label="Answer within" hint="PT1H to P90D."><input name="expiresIn" value=${expiresIn} onInput=${(e) => setExpiresIn(e.target.value)} /><//>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label=${sending || 'Sending…'} />`}
    ${act.result && html`<${Results} out=${act.result} />`}
    <button type="submit" disabled=${act.busy || !ready}>${recipients.length > 1 ? `Send ${recipients.length} invitations` : 'Send invitation'}</button>
  </form>`;
}

// Results lists each customer's outcome: sent, already pending, or refused
// with the problem's detail and field.
function Results({ out }) {
  const { results } = out;
  if (results.length === 1 && results[0].result === 'created') {
    const r = results[0];
    return html`<${Done}>Invitation sent to ${r.toTenantId}; it can be answered until <${When} at=${r.expiresAt} />.<//>`;
  }
  const summary = [`${out.created} sent`, out.pending ? `${out.pending} already pending` : '', out.failed ? `${out.failed} refused` : ''].filter(Boolean).join(', ');
  const failed = results.filter((r) => r.error);
  return html`<div class="results" data-testid="batch-results">
    <p class=${out.failed ? 'error' : 'done'} role=${out.failed ? 'alert' : 'status'}>
      ${summary}.${failed.length ? ` Refused: ${failed.map((r) => named(r.to)).join(', ')}.` : ''}</p>
    <table class="batch">
      <caption class="sr-only">What happened to each customer</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Customer</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
      <tbody>${results.map((r) => html`<tr class=${r.error ? 'failed' : 'ok'}>
        <td>${r.index + 1}</td>
        <th scope="row">${named(r.to)}${r.toTenantId && r.toTenantId !== named(r.to) ? html` <span class="muted">${r.toTenantId}</span>` : ''}</th>
        <td>${r.error ? html`<span class="badge declined">refused (${r.status})</span>`
          : r.result === 'pending' ? html`<span class="badge pending">already pending</span>` : html`<span class="badge accepted">sent</span>`}</td>
        <td>${r.error ? html`${r.error.detail || r.error.title}${r.error.field ? html` <span class="muted">Field: <code>${r.error.field}</code></span>` : ''}`
          : html`<code>${r.invitationId}</code>${r.expiresAt ? html`, until <${When} at=${r.expiresAt} />` : ''}`}</td>
      </tr>`)}</tbody>
    </table>
  </div>`;
}

export function IncomingInvitations() {
  return html`<section>
    <h1>Pending invitations</h1>
    <p class="lead">Invitations waiting for your tenant. Review what each asks for, then accept — possibly narrowed — or decline.</p>
    <${Paged} label="invitations" empty="No invitation is waiting."
      load=${(cursor) => page('/invitations', { direction: 'incoming', status: 'pending', limit: 25 }, cursor)}>
      ${(items) => html`<table>
        <thead><tr><th scope="col">From</th><th scope="col">Ceiling</th><th scope="col">Scope</th><th scope="col">Duration</th><th scope="col">Answer by</th></tr></thead>
        <tbody>${items.map((i) => html`<tr>
          <th scope="row"><a href=${`/console/incoming/${i.id}`}>Review the invitation from ${i.fromTenantId}</a>
            <span class="muted"> they would be your ${i.as === 'partner' ? 'partner' : 'customer'}</span></th>
          <td><${Chips} items=${i.roles} /></td>
          <td><${Chips} items=${i.scope} /></td>
          <td>${i.duration}</td>
          <td><${When} at=${i.expiresAt} /></td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </section>`;
}

export function ReviewInvitation({ id }) {
  const inv = useLoad(() => find('/invitations', { direction: 'incoming', limit: 100 }, (i) => i.id === id), [id]);
  if (inv.loading) return html`<${Progress} label="Loading the invitation…" />`;
  if (inv.error) return html`<section><h1>Invitation</h1><${ErrorNote} error=${inv.error} /></section>`;
  if (!inv.data) return html`<section><h1>Invitation</h1><p role="alert" class="error">No invitation ${id} is addressed to your tenant.</p></section>`;
  return html`<${Review} inv=${inv.data} />`;
}

function Review({ inv }) {
  const { route } = useLocation();
  const roles = useRoles(claims.value.tid);
  const [picked, setPicked] = useState(inv.roles);
  const [scope, setScope] = useState(inv.scope.join('\n'));
  const [admins, setAdmins] = useState('');
  const act = useAction();
  const pending = inv.status === 'pending';
  const perms = (id) => roles.data?.items.find((r) => r.id === id)?.permissions || [];
  const accept = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = {};
      if (picked.length !== inv.roles.length) body.roles = picked;
      const sc = lines(scope);
      if (sc.join('\n') !== inv.scope.join('\n')) body.scope = sc;
      const pa = lines(admins);
      if (pa.length) body.primaryAdmins = pa;
      const rel = await post(`/invitations/${enc(inv.id)}/accept`, body);
      accepted.value = rel; // the partner's page shows what the group mappings made
      route(`/console/partners/${rel.id}`);
      return rel;
    });
  };
  const decline = () => act.run(async () => {
    await post(`/invitations/${enc(inv.id)}/decline`, {});
    route('/console/incoming');
  });
  return html`<section>
    <p class="crumbs"><a href="/console/incoming">Pending invitations</a> ›</p>
    <h1>Invitation from ${inv.fromTenantId} <span class=${`badge ${inv.status}`}>${inv.status}</span></h1>
    <dl class="facts">
      <dt>Partner</dt><dd>${inv.partnerTenantId}</dd>
      <dt>Customer</dt><dd>${inv.customerTenantId}</dd>
      <dt>Sent by</dt><dd>${inv.createdBy.user} (${inv.createdBy.tenant}), <${When} at=${inv.createdAt} /></dd>
      <dt>Duration</dt><dd>${inv.duration}${inv.autoExtend ? `, extends by ${inv.autoExtend}` : ''}</dd>
      <dt>MFA required</dt><dd>${inv.requireMfa ? 'yes' : 'no'}</dd>
      <dt>Answer by</dt><dd><${When} at=${inv.expiresAt} /></dd>
      ${inv.templateId && html`<dt>Template</dt><dd><code>${inv.templateId}</code></dd>`}
    </dl>
    ${inv.groupMappings?.length > 0 && html`<h2>Group mappings</h2>
      <p class="hint">Accepting also gives these people of ${inv.partnerTenantId} these roles at once — narrowed to what you accept; a mapping left with no role or no scope is skipped.</p>
      <table class="mappings">
        <thead><tr><th scope="col">Principal</th><th scope="col">Roles</th><th scope="col">Scope</th></tr></thead>
        <tbody>${inv.groupMappings.map((m) => html`<tr><th scope="row"><code>${m.principal}</code></th>
          <td><${Chips} items=${m.roles} /></td><td>${m.scope?.length ? html`<${Chips} items=${m.scope} />` : html`<span class="muted">the whole scope accepted</span>`}</td></tr>`)}</tbody>
      </table>`}
    <form class="card" onSubmit=${accept} aria-labelledby="accept-title">
      <h2 id="accept-title">Review and accept</h2>
      <${ErrorNote} error=${roles.error} />
      <${Checks} legend="Ceiling: uncheck a role to leave it out" name="roles" selected=${picked} onChange=${setPicked}
        options=${inv.roles.map((r) => ({ value: r, hint: perms(r).join(', ') }))} />
      <${Field} label="Scope" hint=${`One pattern a line, inside ${inv.scope.join(', ')}: narrow it to what the partner needs.`}>
        <textarea name="scope" rows="3" value=${scope} onInput=${(e) => setScope(e.target.value)} />
      <//>
      <${Field} label="Primary admins" hint=${`People of ${inv.partnerTenantId} who administer this relationship, one a line: user:<id> or group:<id>.`}>
        <textarea name="primaryAdmins" rows="2" value=${admins} onInput=${(e) => setAdmins(e.target.value)} />
      <//>
      <${ErrorNote} error=${act.error} />
      ${act.busy && html`<${Progress} label="Answering…" />`}
      <div class="actions">
        <${ConfirmButton} label="Decline" busy=${act.busy || !pending}
          question="Decline this invitation? It cannot be reopened: the inviter would have to send a new one." onConfirm=${decline} />
        <button type="submit" disabled=${act.busy || !pending || picked.length === 0}>Accept</button>
      </div>
    </form>
  </section>`;
}
