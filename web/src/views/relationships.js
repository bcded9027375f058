// Relationships from both sides: a partner's customers (the aggregated view),
// a customer's partners (the partner relationships page of seed 002), and one
// relationship with its ceiling, scope and assignments — assign within the
// ceiling, remove, offboard.
import { html } from 'htm/preact';
import { useState, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { get, page, post, del, patch, enc, query } from '../api.js';
import { claims, accepted } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Checks, Chips, When, ConfirmButton, Done, useAction, useLoad, lines } from '../ui.js';
import { useRoles } from './roles.js';
import { ChangeRequests, AskForChange } from './changes.js';

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

const relStatuses = [['', 'any'], ['active', 'active'], ['expired', 'expired'], ['terminated', 'terminated']];
const windows = [['', 'any time'], ['P7D', 'within 7 days'], ['P30D', 'within 30 days'], ['P90D', 'within 90 days'], ['P365D', 'within a year']];

// PrivilegesBadge marks a relationship whose ceiling the customer emptied:
// kept (subscriptions, renewals) but granting nothing.
export function PrivilegesBadge({ rel }) {
  if (rel.privileges !== 'none') return null;
  return html` <span class="badge no-privileges" title="The customer removed every delegated privilege; the relationship is kept.">no privileges</span>`;
}

// RelationshipTable lists one side's relationships, filtered by status, a
// ceiling role and what ends soon. The filters live in the page's query
// (?status=&role=&endsWithin=), so a filtered list is a link.
function RelationshipTable({ side }) {
  const loc = useLocation();
  const q = loc.query || {};
  const filters = { status: q.status || '', role: q.role || '', endsWithin: q.endsWithin || '' };
  const set = (k, v) => loc.route(loc.path + query({ ...filters, [k]: v }), true);
  const roles = useRoles(claims.value.tid);
  const roleIds = (roles.data?.items || []).map((r) => r.id);
  if (filters.role && !roleIds.includes(filters.role)) roleIds.push(filters.role);
  const other = side === 'partner' ? 'Customer' : 'Partner';
  const base = side === 'partner' ? '/console/customers/' : '/console/partners/';
  const filtered = filters.status || filters.role || filters.endsWithin;
  return html`<div>
    <form class="filters" aria-label=${`Filter ${side === 'partner' ? 'customers' : 'partners'}`} onSubmit=${(e) => e.preventDefault()}>
      <${Field} label="Status">
        <select name="status" value=${filters.status} onChange=${(e) => set('status', e.target.value)}>
          ${relStatuses.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
        </select>
      <//>
      <${Field} label="Ceiling holds role">
        <select name="role" value=${filters.role} onChange=${(e) => set('role', e.target.value)}>
          <option value="">any role</option>
          ${roleIds.map((r) => html`<option value=${r}>${r}</option>`)}
        </select>
      <//>
      <${Field} label="Ends">
        <select name="endsWithin" value=${filters.endsWithin} onChange=${(e) => set('endsWithin', e.target.value)}>
          ${windows.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
          ${filters.endsWithin && !windows.some(([v]) => v === filters.endsWithin) && html`<option value=${filters.endsWithin}>within ${filters.endsWithin}</option>`}
        </select>
      <//>
      ${filtered && html`<button type="button" class="secondary" onClick=${() => loc.route(loc.path, true)}>Clear filters</button>`}
    </form>
    <${ErrorNote} error=${roles.error} />
    <${Paged} label="relationships" deps=${[filters.status, filters.role, filters.endsWithin]}
      empty=${filtered ? 'Nothing matches these filters.' : side === 'partner' ? 'No customers yet.' : 'No partners.'}
      load=${(cursor) => page('/relationships', { side, limit: 25, ...filters }, cursor)}>
      ${(items) => html`<table class="relationships">
        <thead><tr><th scope="col">${other}</th><th scope="col">Status</th><th scope="col">Ceiling</th><th scope="col">Scope</th><th scope="col">Ends</th></tr></thead>
        <tbody>${items.map((r) => html`<tr>
          <th scope="row"><a href=${base + r.id}>${side === 'partner' ? r.customerName : r.partnerName}</a>
            <span class="muted"> ${side === 'partner' ? r.customerTenantId : r.partnerTenantId}</span></th>
          <td><span class=${`badge ${r.status}`}>${r.status}</span><${PrivilegesBadge} rel=${r} /></td>
          <td><${Chips} items=${r.ceiling.map((c) => c.id)} /></td>
          <td><${Chips} items=${r.scope} /></td>
          <td><${When} at=${r.endsAt} /></td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </div>`;
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
    <h1>${title} <span class=${`badge ${r.status}`}>${r.status}</span><${PrivilegesBadge} rel=${r} /></h1>
    ${r.privileges === 'none' && html`<p class="notice">${partnerSide ? `${r.customerName} removed every delegated privilege: the relationship is kept, but nobody of ${r.partnerName} can hold a role under it. Ask for roles with a change request.` : `You removed every delegated privilege: ${r.partnerName} stays your partner, but can hold no role in your tenant.`}</p>`}
    ${r.pruningAssignments && html`<p class="notice" role="status">The assignments under this relationship are still being brought inside its narrowed ceiling and scope; checks already deny what fell outside.</p>`}
    ${!partnerSide && accepted.value?.id === r.id && html`<${MappedAssignments} result=${accepted.value} />`}
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
    ${partnerSide && active && r.privileges !== 'none' && html`<${AssignForm} rel=${r} onAssigned=${() => setGen(gen + 1)} />`}
    ${!partnerSide && active && r.privileges !== 'none' && html`<${Narrow} rel=${r} onNarrowed=${() => { rel.reload(); setGen(gen + 1); }} />`}
    <h2>Change requests</h2>
    <p class="hint">${partnerSide ? `Ask ${r.customerName} for more: roles, scope, a longer term. One request is pending at a time.` : `What ${r.partnerName} asked for beyond the ceiling. Approve it — or part of it — or decline.`}</p>
    <${ChangeRequests} rel=${r} gen=${gen} partnerSide=${partnerSide} onAnswered=${() => { rel.reload(); setGen(gen + 1); }} />
    ${partnerSide && active && html`<${AskForChange} rel=${r} onAsked=${() => setGen(gen + 1)} />`}
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

// MappedAssignments shows what accepting an invitation from a template
// created at once: the group mappings made assignments, and those skipped.
function MappedAssignments({ result }) {
  const made = result.mappedAssignments || [];
  const skipped = result.skippedMappings || [];
  if (!made.length && !skipped.length) return null;
  return html`<div class="card" data-testid="mapped">
    <h2>What accepting mapped</h2>
    <p class="hint">The invitation came from a template with group mappings: accepting made these assignments in the same step, narrowed to what you accepted.</p>
    ${made.length > 0 && html`<table class="mapped">
      <caption class="sr-only">Assignments made by accepting</caption>
      <thead><tr><th scope="col">Principal</th><th scope="col">Roles</th><th scope="col">Scope</th></tr></thead>
      <tbody>${made.map((a) => html`<tr><th scope="row"><code>${a.principal}</code> <span class="muted">${a.principalTenantId}</span></th>
        <td><${Chips} items=${a.roles} /></td><td><${Chips} items=${a.scope} /></td></tr>`)}</tbody>
    </table>`}
    ${skipped.length > 0 && html`<h3>Skipped</h3><ul class="plain skipped">
      ${skipped.map((m) => html`<li><code>${m.principal}</code> (${m.roles.join(', ')}): <code>${m.reason}</code> — ${m.detail}</li>`)}
    </ul>`}
  </div>`;
}

// allAssignments reads every assignment under a relationship, up to max.
async function allAssignments(relId, max = 2000) {
  const out = [];
  let cursor;
  do {
    const p = await page(`/relationships/${enc(relId)}/assignments`, { limit: 100 }, cursor);
    out.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor && out.length < max);
  return { items: out, more: !!cursor };
}

// Narrow lets the customer keep less of the ceiling and scope. Before it
// sends, a dialog says what goes: the roles, the scope, and the assignments
// of the partner's people that lose a role or are removed with it.
function Narrow({ rel, onNarrowed }) {
  const ceiling = rel.ceiling.map((c) => c.id);
  const [keep, setKeep] = useState(ceiling);
  const [scope, setScope] = useState(rel.scope.join('\n'));
  const [impact, setImpact] = useState(null);
  const dialog = useRef(null);
  const review = useAction();
  const act = useAction();
  const removedRoles = ceiling.filter((c) => !keep.includes(c));
  const newScope = lines(scope);
  const scopeChanged = newScope.join('\n') !== rel.scope.join('\n');
  const open = (e) => {
    e.preventDefault();
    review.run(async () => {
      const all = await allAssignments(rel.id);
      const losing = all.items.filter((a) => a.roles.some((x) => removedRoles.includes(x)));
      const emptied = losing.filter((a) => a.roles.every((x) => removedRoles.includes(x)) && a.permissions.length === 0);
      setImpact({ losing, emptied, more: all.more, total: all.items.length });
      dialog.current.showModal();
    });
  };
  const confirm = () => {
    dialog.current.close();
    act.run(async () => {
      const body = {};
      if (removedRoles.length) body.roles = keep;
      if (scopeChanged) body.scope = newScope;
      const r = await patch(`/relationships/${enc(rel.id)}`, body);
      onNarrowed();
      return { r, removedRoles, scopeChanged };
    });
  };
  return html`<form class="card" onSubmit=${open} aria-labelledby="narrow-title">
    <h2 id="narrow-title">Narrow what ${rel.partnerName} may hold</h2>
    <p class="hint">Take roles out of the ceiling or keep a smaller scope. Checks deny what falls outside at once; the assignments under it lose it, and those left with nothing are removed. ${rel.partnerName} can ask for more again with a change request.</p>
    <${Checks} legend="Ceiling: uncheck a role to take it away" name="keep" selected=${keep} onChange=${setKeep}
      options=${rel.ceiling.map((c) => ({ value: c.id, hint: `${c.permissions.length} permissions` }))} />
    <${Field} label="Scope to keep" hint=${`One pattern a line, inside ${rel.scope.join(', ')}.`}>
      <textarea name="narrowScope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
    <//>
    <${ErrorNote} error=${review.error || act.error} />
    ${review.busy && html`<${Progress} label="Reading the assignments under it…" />`}
    ${act.busy && html`<${Progress} label="Narrowing…" />`}
    ${act.result && html`<${Done}>Narrowed${act.result.removedRoles.length ? `: ${act.result.removedRoles.join(', ')} removed` : ''}${act.result.scopeChanged ? `${act.result.removedRoles.length ? ';' : ':'} scope now ${act.result.r.scope.join(', ')}` : ''}.${act.result.r.privileges === 'none' ? ' No privileges are left.' : ''}<//>`}
    <button type="submit" disabled=${review.busy || act.busy || (!removedRoles.length && !scopeChanged) || newScope.length === 0}>Review narrowing</button>
    <dialog ref=${dialog} class="confirm" aria-labelledby="narrow-confirm-title">
      <h3 id="narrow-confirm-title">Narrow the relationship with ${rel.partnerName}?</h3>
      <p>This takes away, at once:</p>
      <ul class="removed">
        ${removedRoles.length > 0 && html`<li>Roles: ${removedRoles.map((x) => html`<code>${x}</code> `)}${keep.length === 0 ? html` — <strong>every delegated privilege</strong>; the relationship is kept with none` : ''}</li>`}
        ${scopeChanged && html`<li>Scope: <code>${rel.scope.join(', ')}</code> becomes <code>${newScope.join(', ')}</code>; assignments are cut to it, those outside it removed</li>`}
        ${impact && removedRoles.length > 0 && html`<li>${impact.losing.length === 0 ? 'No assignment holds those roles.' : html`${impact.losing.length}${impact.more ? '+' : ''} assignment${impact.losing.length === 1 ? '' : 's'} lose${impact.losing.length === 1 ? 's' : ''} a role: ${impact.losing.slice(0, 10).map((a) => html`<code>${a.principal}</code> `)}${impact.losing.length > 10 ? '…' : ''}${impact.emptied.length ? html`; ${impact.emptied.length} left with nothing ${impact.emptied.length === 1 ? 'is' : 'are'} removed` : ''}`}</li>`}
      </ul>
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => dialog.current.close()}>Cancel</button>
        <button type="button" class="danger" onClick=${confirm}>Narrow</button>
      </div>
    </dialog>
  </form>`;
}
