// Invitation templates (a partner's reusable invitations): the terms — ceiling,
// scope, duration, auto-extension, MFA — and the group mappings, the partner's
// own groups or users that get roles in each customer the moment it accepts
// (seed 002's "admin agents" and "helpdesk agents"). Sending from one, to one
// customer or many, is in the invitations view.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { page, post, find, enc } from '../api.js';
import { claims } from '../state.js';
import { Paged, ErrorNote, Progress, Field, Checks, Chips, Done, useAction, useLoad, lines } from '../ui.js';
import { useRoles } from './roles.js';

export const maxMappings = 20; // MaxTemplateMappings: accepting fits one transaction

const templatesPath = () => `/tenants/${enc(claims.value.tid)}/invitation-templates`;

// listTemplates pages the caller's tenant's templates.
export const listTemplates = (cursor, limit = 25) => page(templatesPath(), { limit }, cursor);

export function Templates() {
  const [editing, setEditing] = useState(false);
  const [gen, setGen] = useState(0);
  return html`<section>
    <h1>Invitation templates</h1>
    <p class="lead">Invite many customers on the same terms, and give the same groups of your people the same access in each as soon as it accepts.</p>
    ${editing ? html`<${TemplateEditor} onSaved=${() => { setGen(gen + 1); }} onClose=${() => setEditing(false)} />`
      : html`<p><button type="button" onClick=${() => setEditing(true)}>New template</button></p>`}
    <h2>Templates</h2>
    <${Paged} label="templates" empty="No templates yet." deps=${[gen]} load=${(cursor) => listTemplates(cursor)}>
      ${(items) => html`<table class="templates">
        <thead><tr><th scope="col">Template</th><th scope="col">Ceiling</th><th scope="col">Scope</th><th scope="col">Terms</th><th scope="col">Group mappings</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${items.map((t) => html`<tr>
          <th scope="row"><a href=${`/console/templates/${enc(t.id)}`}>${t.name}</a> <span class="muted">${t.id}</span></th>
          <td><${Chips} items=${t.roles} /></td>
          <td><${Chips} items=${t.scope} /></td>
          <td>${t.duration}${t.autoExtend ? `, extends by ${t.autoExtend}` : ''}${t.requireMfa ? ', MFA' : ''}</td>
          <td>${t.groupMappings.length ? html`<ul class="plain mappings">${t.groupMappings.map((m) => html`<li><code>${m.principal}</code> → ${m.roles.join(', ')}${m.scope?.length ? ` on ${m.scope.join(', ')}` : ''}</li>`)}</ul>` : html`<span class="muted">none</span>`}</td>
          <td><a href=${`/console/invitations?template=${enc(t.id)}`} aria-label=${`Invite customers with ${t.name}`}>Invite…</a></td>
        </tr>`)}</tbody>
      </table>`}
    <//>
  </section>`;
}

export function TemplatePage({ id }) {
  const tpl = useLoad(() => find(templatesPath(), { limit: 100 }, (t) => t.id === id), [id]);
  const [gen, setGen] = useState(0);
  if (tpl.loading && !tpl.data) return html`<${Progress} label="Loading the template…" />`;
  if (tpl.error) return html`<section><h1>Template</h1><${ErrorNote} error=${tpl.error} /></section>`;
  if (!tpl.data) return html`<section><h1>Template</h1><p role="alert" class="error">Your tenant has no template ${id}.</p></section>`;
  return html`<section>
    <p class="crumbs"><a href="/console/templates">Invitation templates</a> ›</p>
    <h1>${tpl.data.name} <span class="muted">${tpl.data.id}</span></h1>
    <p><a href=${`/console/invitations?template=${enc(tpl.data.id)}`}>Invite customers with this template</a></p>
    <${TemplateEditor} key=${gen} tpl=${tpl.data} onSaved=${() => { tpl.reload(); setGen(gen + 1); }} />
  </section>`;
}

const blankMapping = () => ({ principal: '', roles: [], scope: '' });

// TemplateEditor creates a template or replaces one (the same POST: 201 or 200).
function TemplateEditor({ tpl, onSaved, onClose }) {
  const roles = useRoles(claims.value.tid);
  const [id, setId] = useState(tpl?.id || '');
  const [name, setName] = useState(tpl?.name || '');
  const [picked, setPicked] = useState(tpl?.roles || []);
  const [scope, setScope] = useState((tpl?.scope || ['*']).join('\n'));
  const [duration, setDuration] = useState(tpl?.duration || 'P365D');
  const [autoExtend, setAutoExtend] = useState(tpl?.autoExtend || '');
  const [requireMfa, setRequireMfa] = useState(!!tpl?.requireMfa);
  const [mappings, setMappings] = useState((tpl?.groupMappings || []).map((m) => ({ principal: m.principal, roles: m.roles, scope: (m.scope || []).join('\n') })));
  const act = useAction();
  // A partner's template proposes catalogue roles only.
  const offered = (roles.data?.items || []).filter((r) => r.builtIn);
  const setMapping = (i, patch) => setMappings(mappings.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = {
        id: id.trim(), name: name.trim(), roles: picked, scope: lines(scope), duration: duration.trim(), requireMfa,
        groupMappings: mappings.map((m) => {
          const out = { principal: m.principal.trim(), roles: m.roles };
          const sc = lines(m.scope);
          if (sc.length) out.scope = sc;
          return out;
        }),
      };
      if (autoExtend.trim()) body.autoExtend = autoExtend.trim();
      const saved = await post(templatesPath(), body);
      onSaved(saved);
      return saved;
    });
  };
  const title = tpl ? 'edit-template' : 'new-template';
  return html`<form class="card scroll-checks" onSubmit=${submit} aria-labelledby=${title}>
    <h2 id=${title}>${tpl ? 'Edit the template' : 'New template'}</h2>
    <div class="row">
      <${Field} label="Id" hint=${tpl ? 'Saving replaces this template; invitations already sent keep their copy.' : 'Letters, digits and dashes, e.g. gdap-default; saving an existing id replaces it.'}>
        <input name="tplId" required value=${id} readonly=${!!tpl} onInput=${(e) => setId(e.target.value)} />
      <//>
      <${Field} label="Name"><input name="tplName" required value=${name} onInput=${(e) => setName(e.target.value)} /><//>
    </div>
    <${ErrorNote} error=${roles.error} />
    <${Checks} legend="Ceiling: the roles each customer is asked to allow" name="tplRoles" selected=${picked}
      onChange=${(next) => { setPicked(next); setMappings(mappings.map((m) => ({ ...m, roles: m.roles.filter((r) => next.includes(r)) }))); }}
      options=${offered.map((r) => ({ value: r.id, label: `${r.name} (${r.id})`, hint: `${r.permissions.length} permissions` }))} />
    <${Field} label="Scope" hint="One resource pattern a line; * is the whole tenant.">
      <textarea name="tplScope" rows="2" value=${scope} onInput=${(e) => setScope(e.target.value)} />
    <//>
    <div class="row">
      <${Field} label="Duration" hint="P1D to P730D."><input name="tplDuration" value=${duration} onInput=${(e) => setDuration(e.target.value)} /><//>
      <${Field} label="Auto-extend by (optional)" hint="e.g. P180D; not with global-admin."><input name="tplAutoExtend" value=${autoExtend} onInput=${(e) => setAutoExtend(e.target.value)} /><//>
    </div>
    <label class="check"><input type="checkbox" name="tplRequireMfa" checked=${requireMfa} onChange=${(e) => setRequireMfa(e.target.checked)} />
      <span>Partner people must sign in with MFA</span></label>
    <h3>Group mappings</h3>
    <p class="hint">Your groups or users (<code>group:admin-agents</code>, <code>user:ivy</code>) and what each gets in a customer when it accepts — narrowed to what the customer accepted. At most ${maxMappings}.</p>
    ${mappings.length === 0 && html`<p class="empty">No mappings: accepting makes no assignment.</p>`}
    ${mappings.map((m, i) => html`<fieldset class="mapping">
      <legend>Mapping ${i + 1}${m.principal ? `: ${m.principal}` : ''}</legend>
      <${Field} label="Principal" hint="group:<id> or user:<id> of your tenant.">
        <input name=${`mapPrincipal-${i}`} required value=${m.principal} placeholder="group:helpdesk-agents" onInput=${(e) => setMapping(i, { principal: e.target.value })} />
      <//>
      <${Checks} legend="Roles (of the ceiling)" name=${`mapRoles-${i}`} selected=${m.roles} onChange=${(roles) => setMapping(i, { roles })}
        options=${picked.map((r) => ({ value: r }))} />
      <${Field} label="Scope (optional)" hint="Inside the template's scope; none: the relationship's whole scope.">
        <textarea name=${`mapScope-${i}`} rows="1" value=${m.scope} onInput=${(e) => setMapping(i, { scope: e.target.value })} />
      <//>
      <button type="button" class="secondary small" aria-label=${`Remove mapping ${i + 1}`} onClick=${() => setMappings(mappings.filter((_, j) => j !== i))}>Remove mapping</button>
    </fieldset>`)}
    <p><button type="button" class="secondary" disabled=${mappings.length >= maxMappings} onClick=${() => setMappings([...mappings, blankMapping()])}>Add a mapping</button></p>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Saving…" />`}
    ${act.result && html`<${Done}>Saved template ${act.result.id} with ${act.result.groupMappings.length} mapping${act.result.groupMappings.length === 1 ? '' : 's'}. <a href=${`/console/invitations?template=${enc(act.result.id)}`}>Invite customers with it</a><//>`}
    <div class="actions">
      ${onClose && html`<button type="button" class="secondary" onClick=${onClose}>Close</button>`}
      <button type="submit" disabled=${act.busy || picked.length === 0}>Save template</button>
    </div>
  </form>`;
}
