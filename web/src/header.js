// The header: the home tenant and, while switched, the acting tenant with the
// session's time left. The tenant name in its centre opens the tenant
// switcher (seed 000): the targets of GET /switch/targets with the roles held
// in each, a justification, the eligible assignments to activate, POST /switch.
import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { claims, home, session, timeLeft, now, signOut, notice } from './state.js';
import { page, post } from './api.js';
import { ErrorNote, Paged, Progress, Field, Chips, When, useAction } from './ui.js';

const durations = [['PT15M', '15 minutes'], ['PT30M', '30 minutes'], ['PT1H', '1 hour']];

export function Header() {
  const dialog = useRef(null);
  const [opened, setOpened] = useState(0); // a fresh switcher, and list, each time it opens
  const { route } = useLocation();
  const c = claims.value;
  const s = session.value;
  const homeName = home.value?.name || c.tid;
  now.value; // re-render each second for the countdown
  return html`<header class="top">
    <a class="brand" href="/console/">Switchboard</a>
    <div class="tenant">
      <button type="button" class="tenant-button" aria-haspopup="dialog" onClick=${() => { setOpened(opened + 1); dialog.current.showModal(); }}>
        <span class="sr-only">Tenant: </span>${s ? s.tenantName || s.tenantId : homeName} <span aria-hidden="true">▾</span>
      </button>
      ${s ? html`<span class="session" data-testid="session">
          Acting in <strong>${s.tenantName || s.tenantId}</strong> from ${homeName} ·
          <span class="time-left">${timeLeft(s.expiresAt)}</span> left
          <button type="button" class="secondary small" onClick=${() => { session.value = null; route('/console/'); }}>Return to home</button>
        </span>`
      : html`<span class="session home">Home tenant: <strong>${homeName}</strong></span>`}
    </div>
    <div class="who">
      <span><span class="sr-only">Signed in as </span>${c.sub} · ${c.tid}</span>
      <button type="button" class="secondary small" onClick=${() => { signOut('Signed out.'); route('/console/'); }}>Sign out</button>
    </div>
    <dialog ref=${dialog} class="switcher" aria-labelledby="switcher-title">
      <${Switcher} key=${opened} close=${() => dialog.current.close()} onSwitched=${() => { dialog.current.close(); route('/console/session'); }} />
    </dialog>
    ${notice.value && html`<p class="notice" role="status">${notice.value}</p>`}
  </header>`;
}

function Switcher({ close, onSwitched }) {
  const [picked, setPicked] = useState(null);
  const [activate, setActivate] = useState([]);
  const [justification, setJustification] = useState('');
  const [duration, setDuration] = useState('PT1H');
  // Set when the API says why the caller has no targets (switch-not-permitted):
  // then there is nothing to fill in, only the reason to read.
  const [why, setWhy] = useState(null);
  const act = useAction();
  const submit = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { tenantId: picked.tenantId, duration };
      if (justification.trim()) body.justification = justification.trim();
      if (activate.length) body.activate = activate;
      const res = await post('/switch', body);
      session.value = { ...res, tenantName: picked.tenantName };
      notice.value = '';
      setActivate([]);
      setJustification('');
      onSwitched();
    });
  };
  return html`<form onSubmit=${submit}>
    <h2 id="switcher-title">Switch tenant</h2>
    <p class="hint">Act in a customer tenant with your own sign-in, for a short session. Every action is in the customer's audit log.</p>
    <${Paged} label="tenants" empty="There is no tenant you can switch into." onWhy=${setWhy} load=${(cursor) => page('/switch/targets', {}, cursor)}>
      ${(items) => html`<fieldset class="targets">
        <legend>Tenant</legend>
        ${items.map((t) => html`<label class="target">
          <input type="radio" name="target" value=${t.tenantId} checked=${picked?.tenantId === t.tenantId}
            onChange=${() => { setPicked(t); setActivate([]); }} />
          <span class="target-name">${t.tenantName} <span class="muted">(${t.tenantId})</span></span>
          <span class=${`badge ${t.status}`}>${t.status}</span>
          <span class="target-roles">Roles: <${Chips} items=${t.roles} /></span>
          <span class="muted">Scope ${t.scope.join(', ') || '—'} · until <${When} at=${t.endsAt} /></span>
        </label>`)}
      </fieldset>`}
    <//>
    ${why ? html`<div class="actions"><button type="button" class="secondary" onClick=${close}>Close</button></div>` : html`
    ${picked?.eligible?.length > 0 && html`<fieldset class="checks">
      <legend>Eligible assignments to activate in ${picked.tenantName}</legend>
      ${picked.eligible.map((g) => html`<label class="check">
        <input type="checkbox" checked=${activate.includes(g.assignmentId)}
          onChange=${() => setActivate(activate.includes(g.assignmentId) ? activate.filter((x) => x !== g.assignmentId) : [...activate, g.assignmentId])} />
        <span>${g.roles.join(', ')}</span> <span class="hint">for up to ${g.maxActivation || 'PT1H'} (${g.assignmentId})</span>
      </label>`)}
    </fieldset>`}
    <${Field} label="Justification" hint="Why you switch, e.g. a ticket number; required to activate an assignment. Recorded in the audit log.">
      <textarea name="justification" rows="2" maxlength="500" value=${justification} onInput=${(e) => setJustification(e.target.value)} />
    <//>
    <${Field} label="Session length">
      <select name="duration" value=${duration} onChange=${(e) => setDuration(e.target.value)}>
        ${durations.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
      </select>
    <//>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Switching…" />`}
    <div class="actions">
      <button type="button" class="secondary" onClick=${close}>Cancel</button>
      <button type="submit" disabled=${!picked || act.busy}>Switch${picked ? ` to ${picked.tenantName}` : ''}</button>
    </div>
    `}
  </form>`;
}
