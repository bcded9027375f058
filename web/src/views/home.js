// The landing page once signed in: who you are and where to go.
import { html } from 'htm/preact';
import { claims, home, isMSP, session } from '../state.js';
import { navFor } from '../routes.js';

export function Home() {
  const c = claims.value;
  const t = home.value;
  return html`<section>
    <h1>Welcome, ${c.sub}</h1>
    <p class="lead">You are signed in to ${t ? html`<strong>${t.name}</strong> (${t.id}${t.msp ? ', MSP' : ''})` : c.tid}.
      ${session.value ? ` You act in ${session.value.tenantName} until your session ends.` : ''}</p>
    ${isMSP.value && html`<p>Open the tenant name in the header to switch into a customer, or manage your customers and invitations.</p>`}
    <div class="tiles">${navFor().flatMap((g) => g.items).filter((r) => r.path !== '/console/').map((r) => html`<a class="tile" href=${r.path}>
      <span class="tile-title">${r.label}</span><span class="hint">${r.blurb}</span></a>`)}</div>
  </section>`;
}
