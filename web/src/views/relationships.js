// Relationships from both sides: a partner's customers (the aggregated view),
// a customer's partners (the partner relationships page of seed 002), and one
// relationship with its ceiling, scope and assignments — assign within the
// ceiling, remove, offboard.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { get, page, post, del, enc } from '../api.js';
import { claims } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Checks, Chips, When, ConfirmButton, Done, useAction, useLoad, lines } from '../ui.js';

export function Customers() {
  return html`<section>
    <h1>Customers</h1>
    <p class="lead">Every customer tenant your tenant manages, with what each allowed.</p>
    <${RelationshipTable} side="partner" />
  </section>`;
}

export function Partners() {
  return html`<section>
    <h1>Partners</h1>
    <p class="lead">The partners with access to your tenant: which roles they may hold, where, and until when. Open one to see who holds what, remove an assignment or offboard the partner.</p>
    <${RelationshipTable} side="customer" />
  </section>`;
}

function RelationshipTable({ side }) {
  const other = side === 'partner' ? 'Customer' : 'Partner';
  const base = side === 'partner' ? '/console/customers/' : '/console/partners/';
  return html`<${Paged} label="relationships" empty=${side === 'partner' ? 'No customers yet.' : 'No partners.'}
    load=${(cursor) => page('/relationships', { side, limit: 25 }, cursor)}>
    ${(items) => html`<table>
      <thead><tr><th scope="col">${other}</th><th scope="col">Status</th><th scope="col">Ceiling</th><th scope="col">Scope</th><th scope="col">Ends</th></tr></thead>
      <tbody>${items.map((r) => html`<tr>
        <th scope="row"><a href=${base + r.id}>${side === 'partner' ? r.customerName : r.partnerName}</a>
          <span class="muted"> ${side === 'partner' ? r.customerTenantId : r.partnerTenantId}</span></th>
        <td><span class=${`badge ${r.status}`}>${r.status}</span></td>
        <td><${Chips} items=${r.ceiling.map((c) => c.id)} /></td>
        <td><${Chips} items=${r.scope} /></td>
        <td><${When} at=${r.endsAt} /></td>
      </tr>`)}</tbody>
    </table>`}
  <//>`;
}

export function Relationship({ id, side }) {
  const { route } = useLocation();
  const rel = useLoad(() => get(`/relationships/${enc(id)}`), [id]);
  const [gen, setGen] = useState(0);
  const offboard = useAction();
  if (rel.loading && !rel.data) return html`<${Progress} label="Loading the relationship…" />`;
  if (rel.error) return html`<section><h1>Relationship</h1><${ErrorNote} error=${rel.error} /></section>`;
  const r = rel.data;
  const mine = claims.value.tid;
  const partnerSide = r.partnerTenantId === mine;
  const active = r.status === 'active';
  const title = partnerSide ? r.customerName : r.partnerName;
  return html`<section>
    <p class="crumbs"><a href=${partnerSide ? '/console/customers' : '/console/partners'}>${partnerSide ? 'Customers' : 'Partners'}</a> ›</p>
    <h1>${title} <span class=${`badge ${r.status}`}>${r.status}</span></h1>
    <dl class="facts">
      <dt>Partner</dt><dd>${r.partnerName} (${r.partnerTenantId})</dd>
      <dt>Customer</dt><dd>${r.customerName} (${r.customerTenantId})</dd>
      <dt>Scope</dt><dd><${Chips} items=${r.scope} /></dd>
      <dt>Runs</dt><dd><${When} at=${r.startsAt} /> to <${When} at=${r.endsAt} />${r.autoExtend ? ` (extends by ${r.autoExtend})` : ''}</dd>
      <dt>MFA required</dt><dd>${r.requireMfa ? 'yes' : 'no'}</dd>
      <dt>Primary admins</dt><dd><${Chips} items=${r.primaryAdmins} /></dd>
      ${r.endedAt && html`<dt>Ended</dt><dd><${When} at=${r.endedAt} /> by ${r.endedBy?.user} (${r.endedBy?.tenant})</dd>`}
      <dt>Id</dt><dd><code>${r.id}</code></dd>
    </dl>
    <h2>Ceiling</h2>
    <p class="hint">The roles the customer allowed, with the permissions each had when the relationship began.</p>
    <table>
      <thead><tr><th scope="col">Role</th><th scope="col">Permissions</th></tr></thead>
      <tbody>${r.ceiling.map((c) => html`<tr><th scope="row"><code>${c.id}</code></th><td><${Chips} items=${c.permissions} /></td></tr>`)}</tbody>
    </table>
    <h2>Assignments</h2>
    <${Assignments} rel=${r} gen=${gen} />
    ${partnerSide && active && html`<${AssignForm} rel=${r} onAssigned=${() => setGen(gen + 1)} />`}
    ${active && html`<h2>Offboard</h2>
      <p class="hint">${partnerSide ? 'End the relationship: every assignment under it is removed at once.' : 'Remove the partner: its access ends at once and every assignment it holds is removed.'}</p>
      <${ErrorNote} error=${offboard.error} />
      ${offboard.busy && html`<${Progress} label="Offboarding…" />`}
      <${ConfirmButton} label=${partnerSide ? 'End relationship' : `Offboard ${r.partnerName}`} busy=${offboard.busy}
        question=${`End the relationship between ${r.partnerName} and ${r.customerName}? Every delegated assignment under it is removed, now.`}
        confirm="Offboard" onConfirm=${() => offboard.run(async () => { await del(`/relationships/${enc(r.id)}`); rel.reload(); })} />`}
  </section>`;
}

function Assignments({ rel, gen }) {
  const remove = useAction();
  return html`<div>
    <${ErrorNote} error=${remove.error} />
    ${remove.busy && html`<${Progress} label="Removing the assignment…" />`}
    ${remove.result && html`<${Done}>Assignment removed.<//>`}
    <${Paged} label="assignments" empty="Nobody holds a role under this relationship." deps=${[rel.id, rel.status, gen, remove.result]}
      load=${(cursor) => page(`/relationships/${enc(rel.id)}/assignments`, { limit: 50 }, cursor)}>
      ${(items) => html`<table class="assignments">
        <thead><tr><th scope="col">Principal</th><th scope="col">Roles</th><th scope="col">Scope</th><th scope="col">Kind</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${items.map((a) => html`<tr>
          <th scope="row"><code>${a.principal}</code> <span class="muted">${a.principalTenantId}</span></th>
          <td><${Chips} items=${[...a.roles, ...a.permissions]} /></td>
          <td><${Chips} items=${a.scope} /></td>
          <td>${a.eligible ? html`eligible${a.activeUntil ? html`, active until <${When} at=${a.activeUntil} />` : ''}` : 'standing'}</td>
          <td><${When} at=${a.createdAt} /></td>
          <td>${rel.status === 'active' && html`<${ConfirmButton} label=${`Remove ${a.principal}`} text="Remove" busy=${remove.busy}
            question=${`Remove ${a.roles.join(', ')} from ${a.principal}? Their access under this relationship ends now.`} confirm="Remove"
            onConfirm=${() => remove.run(async () => { await del(`/relationships/${enc(rel.id)}/assignments/${enc(a.id)}`); return a.id; })} />`}</td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </div>`;
}

// AssignForm offers only the roles of the ceiling: nothing else can be held.
function AssignForm({ rel, onAssigned }) {
  const [principal, setPrincipal] = useState('');
  const [roles, setRoles] = useState([]);
  const [scope, setScope] = useState('');
  const [eligible, setEligible] = useState(false);
  const [maxActivation, setMaxActivation] = useState('PT1H');
  const act = useAction();
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { principal: principal.trim(), roles };
      const sc = lines(scope);
      if (sc.length) body.scope = sc;
      if (eligible) { body.eligible = true; body.maxActivation = maxActivation; }
      const a = await post(`/relationships/${enc(rel.id)}/assignments`, body);
      setPrincipal(''); setRoles([]); setScope(''); setEligible(false);
      onAssigned();
      return a;
    });
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="assign-title">
    <h3 id="assign-title">Assign a role</h3>
    <${Field} label="Principal" hint=${`A user or group of ${rel.partnerName}: user:<id> or group:<id>.`}>
      <input name="principal" required placeholder="user:tom" value=${principal} onInput=${(e) => setPrincipal(e.target.value)} />
    <//>
    <${Checks} legend="Roles (the ceiling allows only these)" name="roles" selected=${roles} onChange=${setRoles}
      options=${rel.ceiling.map((c) => ({ value: c.id, hint: `${c.permissions.length} permissions` }))} />
    <${Field} label="Scope (optional)" hint=${`One pattern a line, inside ${rel.scope.join(', ')}; the relationship's scope when empty.`}>
      <textarea name="scope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
    <//>
    <label class="check"><input type="checkbox" name="eligible" checked=${eligible} onChange=${(e) => setEligible(e.target.checked)} />
      <span>Eligible (just in time): grants nothing until activated by a switch</span></label>
    ${eligible && html`<${Field} label="Longest activation" hint="PT5M to PT8H.">
      <input name="maxActivation" value=${maxActivation} onInput=${(e) => setMaxActivation(e.target.value)} />
    <//>`}
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Assigning…" />`}
    ${act.result && html`<${Done}>Assigned ${act.result.roles.join(', ')} to ${act.result.principal}.<//>`}
    <button type="submit" disabled=${act.busy || roles.length === 0}>Assign</button>
  </form>`;
}
