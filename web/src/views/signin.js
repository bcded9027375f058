// Sign-in: the demo people of the local stack (POST /dev/token) or any
// sub/tid/groups/amr; in AWS, the identity provider (OpenID Connect).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { config, notice } from '../state.js';
import { signInDev } from '../auth/dev.js';
import { ErrorNote, Progress, Field, useAction, lines } from '../ui.js';

export function SignIn() {
  const cfg = config.value;
  return html`<main id="main" class="signin">
    <h1>Switchboard console</h1>
    <p class="lead">Delegated administration across tenants: your customers, your partners, and every action they take.</p>
    ${notice.value && html`<p class="notice" role="status">${notice.value}</p>`}
    ${cfg.mode === 'oidc' ? html`<${OIDCSignIn} cfg=${cfg} />` : html`<${DevSignIn} cfg=${cfg} />`}
  </main>`;
}

function OIDCSignIn({ cfg }) {
  const act = useAction();
  const go = () => act.run(async () => {
    const { signInOIDC } = await import('../auth/oidc.js');
    await signInOIDC(cfg, location.pathname + location.search);
  });
  return html`<div class="card">
    <h2>Sign in</h2>
    <p>With your organisation's account at <code>${cfg.issuer}</code>.</p>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Redirecting to your identity provider…" />`}
    <button type="button" onClick=${go} disabled=${act.busy}>Sign in</button>
  </div>`;
}

function DevSignIn({ cfg }) {
  const act = useAction();
  const [sub, setSub] = useState('');
  const [tid, setTid] = useState('');
  const [groups, setGroups] = useState('');
  const [mfa, setMfa] = useState(false);
  const custom = (e) => {
    e.preventDefault();
    act.run(() => signInDev({ sub: sub.trim(), tid: tid.trim(), groups: lines(groups), amr: mfa ? ['pwd', 'mfa'] : ['pwd'] }));
  };
  return html`<div class="two">
    <div class="card">
      <h2>Sign in as a demo user</h2>
      <p class="hint">The local stack plays the identity provider (<code>POST /dev/token</code>); the demo seed holds these people.</p>
      <ul class="plain users">${(cfg.demoUsers || []).map((u) => html`<li>
        <button type="button" data-user=${u.sub} disabled=${act.busy} onClick=${() => act.run(() => signInDev({ sub: u.sub, tid: u.tid }))}>
          ${u.sub} <span class="on-button">of ${u.tid}</span></button> <span class="hint">${u.role}</span>
      </li>`)}</ul>
    </div>
    <form class="card" onSubmit=${custom} aria-labelledby="custom-signin">
      <h2 id="custom-signin">Or anyone</h2>
      <${Field} label="User id (sub)"><input name="sub" required value=${sub} onInput=${(e) => setSub(e.target.value)} /><//>
      <${Field} label="Home tenant (tid)"><input name="tid" required value=${tid} onInput=${(e) => setTid(e.target.value)} /><//>
      <${Field} label="Groups (optional)" hint="Comma-separated group ids."><input name="groups" value=${groups} onInput=${(e) => setGroups(e.target.value)} /><//>
      <label class="check"><input type="checkbox" name="mfa" checked=${mfa} onChange=${(e) => setMfa(e.target.checked)} /> <span>Signed in with MFA (amr pwd, mfa)</span></label>
      <button type="submit" disabled=${act.busy}>Sign in</button>
    </form>
    <${ErrorNote} error=${act.error} />
    ${act.busy && html`<${Progress} label="Signing in…" />`}
  </div>`;
}
