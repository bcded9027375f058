// The operator's view: create a tenant (and grant the MSP licence).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { ErrorNote, Progress, Field, Done, useAction, lines } from '../ui.js';

export function NewTenant() {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [msp, setMsp] = useState(false);
  const [admins, setAdmins] = useState('');
  const act = useAction();
  const submit = (e) => {
    e.preventDefault();
    act.run(() => post('/tenants', { id: id.trim(), name: name.trim(), domain: domain.trim(), msp, admins: lines(admins) }));
  };
  return html`<section>
    <h1>Create a tenant</h1>
    <p class="lead">Only the platform operator creates tenants and grants the MSP licence.</p>
    <form class="card" onSubmit=${submit} aria-labelledby="new-tenant">
      <h2 id="new-tenant">New tenant</h2>
      <div class="row">
        <${Field} label="Id" hint="The identity provider's tenant id."><input name="id" required value=${id} onInput=${(e) => setId(e.target.value)} /><//>
        <${Field} label="Name"><input name="name" required value=${name} onInput=${(e) => setName(e.target.value)} /><//>
        <${Field} label="Domain"><input name="domain" required value=${domain} onInput=${(e) => setDomain(e.target.value)} /><//>
      </div>
      <${Field} label="Admins" hint="One principal a line; they get global-admin there."><textarea name="admins" rows="2" value=${admins} onInput=${(e) => setAdmins(e.target.value)} /><//>
      <label class="check"><input type="checkbox" name="msp" checked=${msp} onChange=${(e) => setMsp(e.target.checked)} /> <span>Holds the MSP licence (may be a partner)</span></label>
      <${ErrorNote} error=${act.error} />
      ${act.busy && html`<${Progress} label="Creating…" />`}
      ${act.result && html`<${Done}>Created ${act.result.name} (${act.result.id}).<//>`}
      <button type="submit" disabled=${act.busy}>Create tenant</button>
    </form>
  </section>`;
}
