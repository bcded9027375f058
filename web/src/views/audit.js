// The audit log: newest first, filtered by time and by the actor's tenant —
// "what did partner X do" is one click per partner.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { page, enc } from '../api.js';
import { claims, session } from '../state.js';
import { Paged, Field, When, Chips } from '../ui.js';

// toRFC3339 turns a datetime-local value (the user's time zone) into UTC.
function toRFC3339(local) {
  return local ? new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

// summary says in a few words what a record's event changed.
export function summary(rec) {
  const d = rec.detail || {};
  if (d.assignment) return `${d.assignment.principal}: ${[...d.assignment.roles, ...(d.assignment.permissions || [])].join(', ')}`;
  if (d.invitation) return `${d.invitation.fromTenantId} → ${d.invitation.toTenantId}: ${d.invitation.roles.join(', ')}`;
  if (d.relationship) return `${d.relationship.partnerTenantId} → ${d.relationship.customerTenantId}`;
  if (rec.type === 'TenantSwitched') return `into ${d.targetTenantId} until ${new Date(d.expiresAt).toLocaleTimeString()}${d.justification ? ` — ${d.justification}` : ''}`;
  if (rec.type === 'AccessDenied') return `${d.operation} in ${d.targetTenantId}: ${d.reason}`;
  if (d.role) return `role ${d.role.id}`;
  if (d.organization) return `${d.organization.name || d.organization.id}${d.tenantId ? `: ${d.tenantId}` : ''}`;
  if (d.sessionIds) return `${d.sessionIds.length} session(s): ${d.reason}`;
  if (d.tenant) return `${d.tenant.name} (${d.tenant.id})`;
  if (d.partnerTenantId) return `${d.tenantId} ↔ ${d.partnerTenantId}`;
  return '';
}

export function Audit() {
  const { query } = useLocation();
  const mine = claims.value.tid;
  const tenants = [mine, ...(session.value ? [session.value.tenantId] : [])];
  const [tenant, setTenant] = useState(tenants.includes(query.tenant) ? query.tenant : mine);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [actorTenant, setActorTenant] = useState(query.actorTenant || '');
  const [applied, setApplied] = useState({ from: '', to: '', actorTenant: query.actorTenant || '' });
  const apply = (e) => {
    e.preventDefault();
    setApplied({ from: toRFC3339(from), to: toRFC3339(to), actorTenant: actorTenant.trim() });
  };
  const partnerPick = (id) => { setActorTenant(id); setApplied({ ...applied, actorTenant: id }); };
  return html`<section>
    <h1>Audit log</h1>
    <p class="lead">Every action in ${tenant}, newest first — including everything partners did here.</p>
    <form class="filters" onSubmit=${apply} aria-label="Audit filters">
      ${tenants.length > 1 && html`<${Field} label="Tenant">
        <select name="tenant" value=${tenant} onChange=${(e) => setTenant(e.target.value)}>${tenants.map((t) => html`<option value=${t}>${t}</option>`)}</select>
      <//>`}
      <${Field} label="From"><input type="datetime-local" name="from" value=${from} onInput=${(e) => setFrom(e.target.value)} /><//>
      <${Field} label="To"><input type="datetime-local" name="to" value=${to} onInput=${(e) => setTo(e.target.value)} /><//>
      <${Field} label="Actor's tenant" hint="Only actions by people of this tenant.">
        <input name="actorTenant" value=${actorTenant} placeholder="northwind" onInput=${(e) => setActorTenant(e.target.value)} />
      <//>
      <button type="submit">Apply filters</button>
    </form>
    <${PartnerShortcuts} tenant=${tenant} pick=${partnerPick} active=${applied.actorTenant} />
    <${Paged} label="records" empty="No records match." deps=${[tenant, applied.from, applied.to, applied.actorTenant]}
      load=${(cursor) => page(`/tenants/${enc(tenant)}/audit`, { ...applied, limit: 25 }, cursor)}>
      ${(items) => html`<table class="audit">
        <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Who</th><th scope="col">Details</th><th scope="col">Outcome</th></tr></thead>
        <tbody>${items.map((r) => html`<tr>
          <td><${When} at=${r.occurredAt} /></td>
          <th scope="row">${r.type}</th>
          <td>${r.actor.user} <span class="muted">(${r.actor.tenant})</span></td>
          <td>${summary(r)}${r.relationshipId && html` <span class="muted">rel ${r.relationshipId.slice(-6)}</span>`}</td>
          <td><span class=${`badge ${r.outcome}`}>${r.outcome}</span></td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </section>`;
}

// PartnerShortcuts offers "what did partner X do" for each partner of the
// tenant (only for the home tenant: its own partner list).
function PartnerShortcuts({ tenant, pick, active }) {
  if (tenant !== claims.value.tid) return null;
  return html`<${Paged} label="partners" empty="" load=${(cursor) => page('/relationships', { side: 'customer', limit: 25 }, cursor)}>
    ${(items) => html`<p class="shortcuts">What did a partner do?
      ${[...new Map(items.map((r) => [r.partnerTenantId, r])).values()].map((r) => html` <button type="button" class="secondary small"
        aria-pressed=${active === r.partnerTenantId} onClick=${() => pick(r.partnerTenantId)}>${r.partnerName}</button>`)}
      ${active && html` <button type="button" class="secondary small" onClick=${() => pick('')}>Everyone</button>`}</p>`}
  <//>`;
}
