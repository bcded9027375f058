// The shell: sign-in until someone is signed in, then the header, the
// navigation and the routed view.
import { html } from 'htm/preact';
import { useEffect } from 'preact/hooks';
import { LocationProvider, Router, Route, useLocation } from 'preact-iso/router';
import { config, claims, home, identity } from './state.js';
import { get, enc } from './api.js';
import { routes, navFor } from './routes.js';
import { Header } from './header.js';
import { SignIn } from './views/signin.js';
import { ErrorNote, Progress, useLoad } from './ui.js';

export function App() {
  return html`<${LocationProvider} scope="/console"><${Shell} /><//>`;
}

function Shell() {
  const loc = useLocation();
  if (config.value.mode === 'oidc' && loc.path === '/console/callback') return html`<${Callback} />`;
  if (!claims.value) return html`<${SignIn} />`;
  return html`<${Signed} />`;
}

function Callback() {
  const { route } = useLocation();
  const done = useLoad(async () => {
    const { completeOIDC } = await import('./auth/oidc.js');
    route(await completeOIDC(config.value), true);
  }, []);
  return html`<main id="main" class="signin"><h1>Signing in</h1>
    ${done.loading && html`<${Progress} label="Completing the sign-in…" />`}<${ErrorNote} error=${done.error} /></main>`;
}

function Signed() {
  const c = claims.value;
  useEffect(() => {
    let live = true;
    get(`/tenants/${enc(c.tid)}`).then((t) => { if (live) home.value = t; },
      () => { if (live && identity.value) home.value = { id: c.tid, name: c.tid, msp: false, unknown: true }; });
    return () => { live = false; };
  }, [identity.value?.token]);
  const focusMain = () => document.getElementById('main')?.focus();
  return html`<a class="skip" href="#main">Skip to content</a>
    <${Header} />
    <div class="layout">
      <${Nav} />
      <main id="main" tabindex="-1">
        <${Router} onRouteChange=${focusMain}>
          ${routes.map((r) => html`<${Route} path=${r.path} component=${r.component} />`)}
          <${Route} default component=${NotFound} />
        <//>
      </main>
    </div>`;
}

function Nav() {
  const { path } = useLocation();
  home.value; // the groups depend on the home tenant's licence
  return html`<nav class="side" aria-label="Console">
    ${navFor().map((g) => html`<div class="group"><h2 class="group-title">${g.label}</h2><ul>
      ${g.items.map((r) => html`<li><a href=${r.path} aria-current=${path === r.path || (r.path !== '/console/' && path.startsWith(r.path + '/')) ? 'page' : undefined}>${r.label}</a></li>`)}
    </ul></div>`)}
  </nav>`;
}

function NotFound() {
  return html`<section><h1>Not here</h1><p>There is no such page. <a href="/console/">Overview</a></p></section>`;
}
