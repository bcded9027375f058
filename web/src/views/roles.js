// Roles: the tenant's built-in and custom roles as a role × permission grid
// (the matrices of seeds 001 and 004), defining a custom role, and granting
// roles natively to the tenant's own people.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { get, post, del, enc } from '../api.js';
import { actingTenant } from '../state.js';
import { ErrorNote, Progress, Field, Checks, Chips, Done, ConfirmButton, useAction, useLoad, lines } from '../ui.js';

export function useRoles(tenantId, gen = 0) {
  return useLoad(() => get(`/tenants/${enc(tenantId)}/roles`), [tenantId, gen]);
}

// areas groups permission ids by their area, "rooms.view" → "rooms".
function areas(perms) {
  const by = new Map();
  for (const p of [...perms].sort()) {
    const a = p.split('.')[0];
    if (!by.has(a)) by.set(a, []);
    by.get(a).push(p);
  }
  return [...by.entries()];
}

export function Roles() {
  const tenant = actingTenant.value;
  const [gen, setGen] = useState(0);
  const roles = useRoles(tenant, gen);
  const items = roles.data?.items || [];
  const perms = [...new Set(items.flatMap((r) => r.permissions))];
  return html`<section>
    <h1>Roles in ${tenant}</h1>
    <p class="lead">Which role holds which permission. Built-in roles ship with the catalogue; custom roles are your tenant's own.</p>
    <${ErrorNote} error=${roles.error} />
    ${roles.loading && html`<${Progress} label="Loading roles…" />`}
    ${items.length > 0 && html`<div class="matrix-wrap" tabindex="0" role="region" aria-label="Role and permission matrix">
      <table class="matrix">
        <caption class="sr-only">Permissions (rows) held by each role (columns)</caption>
        <thead><tr><th scope="col">Permission</th>${items.map((r) => html`<th scope="col" class=${r.builtIn ? '' : 'custom'}>
          <span class="role-name">${r.name}</span><span class="role-id">${r.id}${r.builtIn ? '' : ' · custom'}</span></th>`)}</tr></thead>
        <tbody>${areas(perms).map(([area, ps]) => html`
          <tr class="area"><th scope="rowgroup" colspan=${items.length + 1}>${area}</th></tr>
          ${ps.map((p) => html`<tr><th scope="row"><code>${p}</code></th>${items.map((r) => r.permissions.includes(p)
            ? html`<td class="yes"><span aria-hidden="true">✓</span><span class="sr-only">${r.id} holds ${p}</span></td>`
            : html`<td class="no"><span class="sr-only">no</span></td>`)}</tr>`)}`)}
        </tbody>
      </table>
    </div>`}
    <div class="two">
      <${DefineRole} tenant=${tenant} permissions=${perms} onSaved=${() => setGen(gen + 1)} />
      <${GrantNative} tenant=${tenant} roles=${items} />
    </div>
  </section>`;
}

function DefineRole({ tenant, permissions, onSaved }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [picked, setPicked] = useState([]);
  const act = useAction();
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { id: id.trim(), name: name.trim(), permissions: picked };
      if (description.trim()) body.description = description.trim();
      const r = await post(`/tenants/${enc(tenant)}/roles`, body);
      onSaved();
      return r;
    });
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="define-role">
    <h2 id="define-role">Define a role</h2>
    <p class="hint">Saving an existing id replaces that custom role.</p>
    <${Field} label="Id" hint="Lower-case letters, digits and dashes."><input name="id" required value=${id} onInput=${(e) => setId(e.target.value)} /><//>
    <${Field} label="Name"><input name="name" required value=${name} onInput=${(e) => setName(e.target.value)} /><//>
    <${Field} label="Description (optional)"><input name="description" value=${description} onInput=${(e) => setDescription(e.target.value)} /><//>
    <div class="scroll-checks">
      <${Checks} legend="Permissions" name="permissions" selected=${picked} onChange=${setPicked}
        options=${[...permissions].sort().map((p) => ({ value: p }))} />
    </div>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Saving…" />`}
    ${act.result && html`<${Done}>Saved role ${act.result.id}.<//>`}
    <button type="submit" disabled=${act.busy || picked.length === 0}>Save role</button>
  </form>`;
}

// GrantNative assigns roles to the tenant's own people. The API lists no
// native assignments, so this shows the ones made here, to remove them again.
function GrantNative({ tenant, roles }) {
  const [principal, setPrincipal] = useState('');
  const [picked, setPicked] = useState([]);
  const [scope, setScope] = useState('');
  const [made, setMade] = useState([]);
  const act = useAction();
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { principal: principal.trim(), roles: picked };
      const sc = lines(scope);
      if (sc.length) body.scope = sc;
      const a = await post(`/tenants/${enc(tenant)}/assignments`, body);
      setMade([a, ...made]);
      setPrincipal(''); setPicked([]); setScope('');
      return a;
    });
  };
  const remove = (a) => act.run(async () => {
    await del(`/tenants/${enc(tenant)}/assignments/${enc(a.id)}`);
    setMade(made.filter((m) => m.id !== a.id));
  });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="grant-native">
    <h2 id="grant-native">Grant roles to your people</h2>
    <${Field} label="Principal" hint=${`A user or group of ${tenant}: user:<id> or group:<id>.`}>
      <input name="principal" required placeholder="user:dora" value=${principal} onInput=${(e) => setPrincipal(e.target.value)} />
    <//>
    <div class="scroll-checks">
      <${Checks} legend="Roles" name="nativeRoles" selected=${picked} onChange=${setPicked}
        options=${roles.map((r) => ({ value: r.id, label: `${r.name} (${r.id})` }))} />
    </div>
    <${Field} label="Scope (optional)" hint="One pattern a line; the whole tenant when empty.">
      <textarea name="nativeScope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
    <//>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Granting…" />`}
    <button type="submit" disabled=${act.busy || picked.length === 0}>Grant</button>
    ${made.length > 0 && html`<h3>Granted here</h3><ul class="plain">${made.map((a) => html`<li>
      <code>${a.principal}</code> <${Chips} items=${a.roles} />
      <${ConfirmButton} label=${`Remove grant of ${a.principal}`} text="Remove" question=${`Remove ${a.roles.join(', ')} from ${a.principal}?`} confirm="Remove" onConfirm=${() => remove(a)} />
    </li>`)}</ul>`}
  </form>`;
}
