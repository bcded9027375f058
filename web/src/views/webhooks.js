// Webhooks: subscribe an endpoint to the tenant's events (the signing secret
// is shown once), list and delete subscriptions, read their deliveries.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { get, page, post, del, enc } from '../api.js';
import { actingTenant } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Checks, Chips, When, ConfirmButton, useAction, useLoad } from '../ui.js';

// The event types webhooks carry (openapi.yaml, WebhookEventType).
export const webhookEventTypes = ['InvitationAccepted', 'RelationshipActivated', 'RelationshipTerminated', 'RelationshipExpired',
  'RelationshipExtended', 'RelationshipExpiring', 'RoleAssigned', 'RoleAssignmentRemoved', 'AssignmentActivated',
  'SwitchSessionsRevoked', 'OrganizationJoinRequested', 'OrganizationJoined', 'OrganizationLeft',
  'CrossTenantAccessConfigured', 'CrossTenantAccessRemoved'];

export function Webhooks() {
  const tenant = actingTenant.value;
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState([]);
  const [gen, setGen] = useState(0);
  const create = useAction();
  const remove = useAction();
  const submit = (e) => {
    e.preventDefault();
    create.run(async () => {
      const body = { url: url.trim() };
      if (types.length) body.eventTypes = types;
      const h = await post(`/tenants/${enc(tenant)}/webhooks`, body);
      setUrl(''); setTypes([]); setGen(gen + 1);
      return h;
    });
  };
  return html`<section>
    <h1>Webhooks</h1>
    <p class="lead">Deliveries are signed per the Standard Webhooks convention with the subscription's secret.</p>
    <form class="card" onSubmit=${submit} aria-labelledby="new-hook">
      <h2 id="new-hook">Subscribe an endpoint</h2>
      <${Field} label="Endpoint URL"><input name="url" type="url" required placeholder="https://hooks.example.com/switchboard" value=${url} onInput=${(e) => setUrl(e.target.value)} /><//>
      <div class="scroll-checks"><${Checks} legend="Event types (every type when none is checked)" name="eventTypes" selected=${types} onChange=${setTypes}
        options=${webhookEventTypes.map((t) => ({ value: t }))} /></div>
      <${ErrorNote} error=${create.error} />
      ${create.busy && html`<${Progress} label="Subscribing…" />`}
      ${create.result && html`<div class="done" role="status">Subscribed. The signing secret, shown only now:
        <code class="secret">${create.result.secret}</code></div>`}
      <button type="submit" disabled=${create.busy}>Subscribe</button>
    </form>
    <h2>Subscriptions</h2>
    <${ErrorNote} error=${remove.error} />
    <${Paged} label="subscriptions" empty="No subscriptions." deps=${[tenant, gen, remove.result]}
      load=${(cursor) => page(`/tenants/${enc(tenant)}/webhooks`, {}, cursor)}>
      ${(items) => html`<table>
        <thead><tr><th scope="col">Endpoint</th><th scope="col">Status</th><th scope="col">Events</th><th scope="col">Last delivery</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${items.map((h) => html`<tr>
          <th scope="row"><a href=${`/console/webhooks/${h.id}`}>${h.url}</a></th>
          <td><span class=${`badge ${h.status}`}>${h.status}</span>${h.consecutiveFailures ? ` ${h.consecutiveFailures} failures` : ''}</td>
          <td><${Chips} items=${h.eventTypes} /></td>
          <td><${When} at=${h.lastDeliveryAt} />${h.lastError && html`<br /><span class="muted">${h.lastError}</span>`}</td>
          <td><${ConfirmButton} label=${`Delete ${h.url}`} text="Delete" question=${`Stop delivering to ${h.url}?`} confirm="Delete"
            onConfirm=${() => remove.run(async () => { await del(`/tenants/${enc(tenant)}/webhooks/${enc(h.id)}`); return h.id; })} /></td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </section>`;
}

export function Deliveries({ id }) {
  const tenant = actingTenant.value;
  const hooks = useLoad(() => get(`/tenants/${enc(tenant)}/webhooks`), [tenant]);
  const hook = hooks.data?.items.find((h) => h.id === id);
  return html`<section>
    <p class="crumbs"><a href="/console/webhooks">Webhooks</a> ›</p>
    <h1>Deliveries${hook ? ` to ${hook.url}` : ''}</h1>
    <${ErrorNote} error=${hooks.error} />
    <${Paged} label="deliveries" empty="Nothing delivered yet." deps=${[id]}
      load=${(cursor) => page(`/tenants/${enc(tenant)}/webhooks/${enc(id)}/deliveries`, { limit: 25 }, cursor)}>
      ${(items) => html`<table>
        <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Answer</th><th scope="col">Took</th></tr></thead>
        <tbody>${items.map((d) => html`<tr>
          <td><${When} at=${d.at} /></td>
          <th scope="row">${d.eventType} <span class="muted">${d.eventId}</span></th>
          <td>${d.attempt}</td>
          <td><span class=${`badge ${d.delivered ? 'succeeded' : 'denied'}`}>${d.statusCode || 'no answer'}</span>${d.error && html` <span class="muted">${d.error}</span>`}</td>
          <td>${(d.durationNs / 1e6).toFixed(1)} ms</td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </section>`;
}
