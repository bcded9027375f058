// "Why can't I?": POST /check-access for the caller or, with access.check in
// the tenant, for another principal — the decision, its reason and the grant
// that decided it.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { post } from '../api.js';
import { actingTenant, claims } from '../state.js';
import { ErrorNote, Progress, Field, useAction, lines } from '../ui.js';

export const reasons = {
  allowed: 'A grant covers this permission on this resource.',
  'no-relationship': 'Your tenant has no relationship with this tenant, and you hold nothing here natively.',
  'relationship-expired': 'The relationship that gave access has passed its end.',
  'relationship-terminated': 'The relationship that gave access was ended (offboarded).',
  'not-in-ceiling': 'No role the customer allowed in the relationship carries this permission.',
  'out-of-scope': 'A grant carries the permission, but not for this resource: it lies outside the grant\'s scope.',
  'not-delegable': 'This permission is never held by a partner, whatever its roles.',
  'mfa-required': 'The relationship requires MFA and the sign-in had none.',
  'no-grant': 'No assignment gives this permission.',
  'eligible-not-active': 'An eligible (just-in-time) assignment would grant it: activate it with a switch first.',
  'switch-not-permitted': 'Switching needs tenants.switch at home and an active grant in the target.',
};

export function CheckAccess() {
  const { query } = useLocation();
  const [tenantId, setTenantId] = useState(query.tenantId || actingTenant.value);
  const [permission, setPermission] = useState(query.permission || '');
  const [resource, setResource] = useState(query.resource || '');
  const [other, setOther] = useState(false);
  const [principal, setPrincipal] = useState('');
  const [principalTenant, setPrincipalTenant] = useState(claims.value.tid);
  const [groups, setGroups] = useState('');
  const [mfa, setMfa] = useState(false);
  const [history, setHistory] = useState([]);
  const act = useAction();
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { tenantId: tenantId.trim(), permission: permission.trim() };
      if (resource.trim()) body.resource = resource.trim();
      if (other) {
        body.principal = { id: principal.trim(), tenantId: principalTenant.trim(), mfa };
        const g = lines(groups);
        if (g.length) body.principal.groups = g;
      }
      const res = await post('/check-access', body);
      setHistory([{ q: body, res }, ...history].slice(0, 10));
      return { q: body, res };
    });
  };
  return html`<section>
    <h1>Why can't I?</h1>
    <p class="lead">Ask whether a permission applies on a resource in a tenant, and see which grant decides.</p>
    <form class="card" onSubmit=${submit} aria-labelledby="check-title">
      <h2 id="check-title">Check access</h2>
      <div class="row">
        <${Field} label="Tenant"><input name="tenantId" required value=${tenantId} onInput=${(e) => setTenantId(e.target.value)} /><//>
        <${Field} label="Permission" hint="e.g. rooms.create, tickets.update, data.export">
          <input name="permission" required value=${permission} onInput=${(e) => setPermission(e.target.value)} />
        <//>
        <${Field} label="Resource (optional)" hint="e.g. /sites/eu/paris/room-7">
          <input name="resource" value=${resource} onInput=${(e) => setResource(e.target.value)} />
        <//>
      </div>
      <label class="check"><input type="checkbox" name="other" checked=${other} onChange=${(e) => setOther(e.target.checked)} />
        <span>For another principal (needs access.check in the tenant; a partner asks only about its own people)</span></label>
      ${other && html`<div class="row">
        <${Field} label="Principal" hint="user:<id> or group:<id>"><input name="principal" required value=${principal} onInput=${(e) => setPrincipal(e.target.value)} /><//>
        <${Field} label="Their home tenant"><input name="principalTenant" required value=${principalTenant} onInput=${(e) => setPrincipalTenant(e.target.value)} /><//>
        <${Field} label="Their groups (optional)" hint="Comma-separated."><input name="groups" value=${groups} onInput=${(e) => setGroups(e.target.value)} /><//>
        <label class="check"><input type="checkbox" name="mfa" checked=${mfa} onChange=${(e) => setMfa(e.target.checked)} /> <span>Signed in with MFA</span></label>
      </div>`}
      <${ErrorNote} error=${act.error} />
      ${act.busy && html`<${Progress} label="Checking…" />`}
      <button type="submit" disabled=${act.busy}>Check</button>
    </form>
    ${act.result && html`<${Decision} ...${act.result} />`}
    ${history.length > 1 && html`<h2>Earlier checks</h2>
      <table><thead><tr><th scope="col">Question</th><th scope="col">Decision</th></tr></thead>
      <tbody>${history.slice(1).map((h) => html`<tr><td><code>${h.q.principal?.id || 'me'}</code> · ${h.q.permission} in ${h.q.tenantId}${h.q.resource ? ` on ${h.q.resource}` : ''}</td>
        <td><span class=${`badge ${h.res.allowed ? 'succeeded' : 'denied'}`}>${h.res.allowed ? 'allowed' : 'denied'}</span>${h.res.allowed ? '' : html` <code>${h.res.reason}</code>`}</td></tr>`)}</tbody></table>`}
  </section>`;
}

function Decision({ q, res }) {
  return html`<div class=${`decision ${res.allowed ? 'allow' : 'deny'}`} role="status" data-testid="decision">
    <p class="verdict">${res.allowed ? 'Allowed' : 'Denied'}: <code>${res.reason}</code></p>
    <p>${reasons[res.reason] || ''}</p>
    <p class="muted">${q.principal?.id || 'You'} · <code>${q.permission}</code> in ${q.tenantId}${q.resource ? html` on <code>${q.resource}</code>` : ''}</p>
    ${res.via && html`<dl class="facts">
      <dt>Deciding grant</dt><dd>assignment <code>${res.via.assignmentId || '—'}</code></dd>
      ${res.via.roleId && html`<dt>Through role</dt><dd><code>${res.via.roleId}</code></dd>`}
      ${res.via.relationshipId && html`<dt>Under relationship</dt><dd><code>${res.via.relationshipId}</code></dd>`}
    </dl>`}
  </div>`;
}
