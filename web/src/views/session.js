// The switch session: what the token carries in the customer tenant, and the
// token itself for downstream services (this API takes the sign-in token).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { session, timeLeft, claims } from '../state.js';
import { Chips, When } from '../ui.js';

export function Session() {
  const s = session.value;
  const [shown, setShown] = useState(false);
  if (!s) {
    return html`<section><h1>No session</h1>
      <p>You act in your home tenant, ${claims.value.tid}. Open the tenant switcher in the header to act in a customer tenant.</p></section>`;
  }
  return html`<section>
    <h1>Session in ${s.tenantName || s.tenantId}</h1>
    <dl class="facts">
      <dt>Acting as</dt><dd>${claims.value.sub} of ${claims.value.tid}</dd>
      <dt>Ends</dt><dd><${When} at=${s.expiresAt} /> (${timeLeft(s.expiresAt)} left)</dd>
      <dt>Relationship</dt><dd><code>${s.relationshipId}</code></dd>
      <dt>Session id</dt><dd><code>${s.sessionId}</code></dd>
      <dt>Roles</dt><dd><${Chips} items=${s.roles} /></dd>
      <dt>Scope</dt><dd><${Chips} items=${s.scope} /></dd>
      ${s.activated?.length ? html`<dt>Activated</dt><dd><${Chips} items=${s.activated} /></dd>` : null}
    </dl>
    <h2>Grants</h2>
    <table>
      <thead><tr><th scope="col">Assignment</th><th scope="col">Roles</th><th scope="col">Permissions</th><th scope="col">Scope</th></tr></thead>
      <tbody>${s.grants.map((g) => html`<tr><th scope="row"><code>${g.asg}</code></th><td><${Chips} items=${g.roles} /></td>
        <td><${Chips} items=${g.perms} /></td><td><${Chips} items=${g.scope} /></td></tr>`)}</tbody>
    </table>
    <p><a href=${`/console/access?tenantId=${encodeURIComponent(s.tenantId)}`}>Check access in ${s.tenantName || s.tenantId}</a></p>
    <h2>Switch token</h2>
    <p class="hint">Signed (ES256) for the customer's downstream services, which verify it with the JWKS; this console keeps it in memory only.</p>
    <button type="button" class="secondary" aria-expanded=${shown} onClick=${() => setShown(!shown)}>${shown ? 'Hide' : 'Show'} token</button>
    ${shown && html`<pre class="token" tabindex="0" aria-label="Switch token">${s.token}</pre>`}
  </section>`;
}
