// Multi-tenant organisations (seed 003): create one, add tenants, join by
// the owner's tenant id (asynchronous: the page follows it until joined),
// leave; and the cross-tenant access settings joins leave behind.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { get, page, post, del, enc } from '../api.js';
import { claims } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Chips, When, ConfirmButton, Done, useAction, useLoad } from '../ui.js';

const scanPages = 10;

export function Organizations() {
  const { route } = useLocation();
  const me = claims.value.tid;
  const [name, setName] = useState('');
  const [autoRedeem, setAutoRedeem] = useState(true);
  const [allowSyncIn, setAllowSyncIn] = useState(true);
  const [openId, setOpenId] = useState('');
  const create = useAction();
  const submit = (e) => {
    e.preventDefault();
    create.run(async () => {
      const org = await post('/organizations', { name: name.trim(), template: { autoRedeem, allowSyncIn } });
      route(`/console/organizations/${org.id}`);
    });
  };
  return html`<section>
    <h1>Organisations</h1>
    <p class="lead">A group of companies' tenants as one multi-tenant organisation. An owner adds a tenant; the tenant joins by naming an owner's tenant id.</p>
    <div class="two">
      <form class="card" onSubmit=${submit} aria-labelledby="new-org">
        <h2 id="new-org">Create an organisation</h2>
        <${Field} label="Name"><input name="orgName" required value=${name} onInput=${(e) => setName(e.target.value)} /><//>
        <label class="check"><input type="checkbox" checked=${autoRedeem} onChange=${(e) => setAutoRedeem(e.target.checked)} /> <span>Redeem invitations between members automatically</span></label>
        <label class="check"><input type="checkbox" checked=${allowSyncIn} onChange=${(e) => setAllowSyncIn(e.target.checked)} /> <span>Let members' users sync into each other</span></label>
        <${ErrorNote} error=${create.error} />
        ${create.busy && html`<${Progress} label="Creating…" />`}
        <button type="submit" disabled=${create.busy}>Create</button>
      </form>
      <form class="card" onSubmit=${(e) => { e.preventDefault(); if (openId.trim()) route(`/console/organizations/${enc(openId.trim())}`); }} aria-labelledby="open-org">
        <h2 id="open-org">Open an organisation</h2>
        <p class="hint">Added to an organisation? Its owner tells you its id — or find it in your audit log below.</p>
        <${Field} label="Organisation id"><input name="orgId" required value=${openId} onInput=${(e) => setOpenId(e.target.value)} /><//>
        <button type="submit">Open</button>
      </form>
    </div>
    <${FoundInAudit} tenant=${me} />
    <h2>Cross-tenant access settings</h2>
    <${CrossTenantAccess} tenant=${me} />
  </section>`;
}

// FoundInAudit scans the audit log for the organisations the tenant was
// part of: there is no list route, the events name them.
function FoundInAudit({ tenant }) {
  const [state, setState] = useState({ busy: false, scanned: 0, found: null, error: null });
  const scan = async () => {
    const found = new Map();
    let cursor; let scanned = 0;
    setState({ busy: true, scanned, found: null, error: null });
    try {
      for (let i = 0; i < scanPages; i++) {
        const p = await page(`/tenants/${enc(tenant)}/audit`, { limit: 100 }, cursor);
        for (const r of p.items) {
          const o = r.detail?.organization;
          if (o && !found.has(o.id)) found.set(o.id, { ...o, type: r.type, at: r.occurredAt });
        }
        scanned += p.items.length;
        setState({ busy: true, scanned, found: null, error: null });
        if (!p.nextCursor) break;
        cursor = p.nextCursor;
      }
      setState({ busy: false, scanned, found: [...found.values()], error: null });
    } catch (error) {
      setState({ busy: false, scanned, found: null, error });
    }
  };
  return html`<div class="card">
    <h2>Organisations in your audit log</h2>
    <button type="button" class="secondary" disabled=${state.busy} onClick=${scan}>Find organisations</button>
    ${state.busy && html`<${Progress} label=${`Reading the audit log… ${state.scanned} records so far`} />`}
    <${ErrorNote} error=${state.error} />
    ${state.found && html`<p role="status">${state.found.length} organisation(s) in the latest ${state.scanned} records.</p>
      <ul class="plain">${state.found.map((o) => html`<li><a href=${`/console/organizations/${o.id}`}>${o.name}</a>
        <span class="muted"> owners ${o.owners.join(', ')}; last seen ${o.type}</span></li>`)}</ul>`}
  </div>`;
}

function CrossTenantAccess({ tenant }) {
  const remove = useAction();
  return html`<div>
    <${ErrorNote} error=${remove.error} />
    <${Paged} label="settings" empty="No cross-tenant access settings." deps=${[remove.result]}
      load=${(cursor) => page(`/tenants/${enc(tenant)}/cross-tenant-access`, {}, cursor)}>
      ${(items) => html`<table>
        <thead><tr><th scope="col">Toward</th><th scope="col">Sync configuration</th><th scope="col">Auto-redeem</th><th scope="col">Sync in</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${items.map((x) => html`<tr>
          <th scope="row">${x.partnerTenantId}</th><td><code>${x.syncConfiguration}</code></td>
          <td>${x.autoRedeem ? 'yes' : 'no'}</td><td>${x.allowSyncIn ? 'yes' : 'no'}</td><td><${When} at=${x.createdAt} /></td>
          <td><${ConfirmButton} label=${`Remove settings toward ${x.partnerTenantId}`} text="Remove" question=${`Remove the cross-tenant access settings toward ${x.partnerTenantId}?`}
            confirm="Remove" onConfirm=${() => remove.run(async () => { await del(`/tenants/${enc(tenant)}/cross-tenant-access/${enc(x.partnerTenantId)}`); return x.partnerTenantId; })} /></td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </div>`;
}

const joinPolls = 30;

export function Organization({ id }) {
  const { route } = useLocation();
  const me = claims.value.tid;
  const org = useLoad(() => get(`/organizations/${enc(id)}`), [id]);
  const act = useAction();
  const [addId, setAddId] = useState('');
  const [owner, setOwner] = useState('');
  const [joining, setJoining] = useState('');
  if (org.loading && !org.data) return html`<${Progress} label="Loading the organisation…" />`;
  if (org.error) return html`<section><h1>Organisation</h1><${ErrorNote} error=${org.error} /></section>`;
  const o = org.data;
  const isOwner = o.owners.includes(me);
  const mine = o.members.find((m) => m.tenantId === me);
  const run = (fn) => act.run(async () => { const r = await fn(); org.reload(); return r; });
  const join = (e) => {
    e.preventDefault();
    act.run(async () => {
      const ownerId = owner || o.owners[0];
      await post(`/organizations/${enc(id)}/join`, { ownerTenantId: ownerId });
      // The join completes through the event bus: follow it.
      for (let i = 1; i <= joinPolls; i++) {
        setJoining(`Joining ${o.name} through ${ownerId}… (check ${i} of ${joinPolls})`);
        const now = await get(`/organizations/${enc(id)}`);
        if (now.members.find((m) => m.tenantId === me)?.state === 'joined') break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      setJoining('');
      org.reload();
      return 'joined';
    });
  };
  return html`<section>
    <p class="crumbs"><a href="/console/organizations">Organisations</a> ›</p>
    <h1>${o.name}</h1>
    <dl class="facts">
      <dt>Id</dt><dd><code>${o.id}</code></dd>
      <dt>Owners</dt><dd><${Chips} items=${o.owners} /></dd>
      <dt>Joins set up</dt><dd>auto-redeem ${o.template.autoRedeem ? 'on' : 'off'}, sync in ${o.template.allowSyncIn ? 'on' : 'off'}</dd>
      <dt>Created</dt><dd><${When} at=${o.createdAt} /> by ${o.createdBy.user} (${o.createdBy.tenant})</dd>
    </dl>
    <${ErrorNote} error=${act.error} />
    ${joining && html`<${Progress} label=${joining} />`}
    ${act.busy && !joining && html`<${Progress} label="Working…" />`}
    ${act.result === 'joined' && html`<${Done}>${me} joined ${o.name}.<//>`}
    ${mine?.state === 'pending' && html`<form class="card" onSubmit=${join} aria-labelledby="join-title">
      <h2 id="join-title">Join ${o.name}</h2>
      <${Field} label="Owner's tenant id" hint="The owner whose tenant you will share access settings with.">
        <input name="ownerTenantId" list="owners" value=${owner} placeholder=${o.owners[0]} onInput=${(e) => setOwner(e.target.value)} />
      <//>
      <datalist id="owners">${o.owners.map((t) => html`<option value=${t} />`)}</datalist>
      <button type="submit" disabled=${act.busy}>Join</button>
    </form>`}
    <h2>Members</h2>
    <table>
      <thead><tr><th scope="col">Tenant</th><th scope="col">State</th><th scope="col">Owner</th><th scope="col">Added</th><th scope="col">Joined</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${o.members.map((m) => html`<tr>
        <th scope="row">${m.tenantId}</th>
        <td><span class=${`badge ${m.state}`}>${m.state}</span></td>
        <td>${m.owner ? 'owner' : ''}</td>
        <td><${When} at=${m.addedAt} /> by ${m.addedBy.user}</td>
        <td><${When} at=${m.joinedAt} /></td>
        <td>
          ${isOwner && m.state === 'joined' && !m.owner && html`<button type="button" class="secondary small" disabled=${act.busy}
            onClick=${() => run(() => post(`/organizations/${enc(id)}/owners`, { tenantId: m.tenantId }))}>Make owner</button> `}
          ${(isOwner || m.tenantId === me) && html`<${ConfirmButton} label=${m.tenantId === me ? 'Leave' : `Remove ${m.tenantId}`} busy=${act.busy}
            question=${m.tenantId === me ? `Leave ${o.name}? Cross-tenant access settings stay until you remove them.` : `Remove ${m.tenantId} from ${o.name}?`}
            confirm=${m.tenantId === me ? 'Leave' : 'Remove'} onConfirm=${() => (m.tenantId === me
              ? act.run(async () => { await del(`/organizations/${enc(id)}/tenants/${enc(me)}`); route('/console/organizations'); })
              : run(() => del(`/organizations/${enc(id)}/tenants/${enc(m.tenantId)}`)))} />`}
        </td>
      </tr>`)}</tbody>
    </table>
    ${isOwner && html`<form class="card" onSubmit=${(e) => { e.preventDefault(); run(async () => { await post(`/organizations/${enc(id)}/tenants`, { tenantId: addId.trim() }); setAddId(''); }); }} aria-labelledby="add-title">
      <h2 id="add-title">Add a tenant</h2>
      <p class="hint">The tenant then joins by itself, naming an owner's tenant id.</p>
      <${Field} label="Tenant id"><input name="addTenantId" required value=${addId} onInput=${(e) => setAddId(e.target.value)} /><//>
      <button type="submit" disabled=${act.busy}>Add</button>
    </form>`}
  </section>`;
}
