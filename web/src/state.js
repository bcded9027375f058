// The console's state, as signals: the config document, who is signed in
// (tokens live here, in memory only), their home tenant, the switch session
// in a customer tenant, and a clock that ticks each second for countdowns.
import { signal, computed, effect } from '@preact/signals';

export const config = signal(null);
export const identity = signal(null); // {token, claims, mode}
export const home = signal(null); // the home tenant, GET /tenants/{tid}
export const session = signal(null); // the switch session: POST /switch's answer + tenantName
export const notice = signal(''); // why the user was signed out or a session ended
export const accepted = signal(null); // the last acceptance's answer: mappedAssignments, skippedMappings
export const now = signal(Date.now());

setInterval(() => { now.value = Date.now(); }, 1000);

export const claims = computed(() => identity.value?.claims || null);
export const isOperator = computed(() => !!claims.value && claims.value.tid === config.value?.operatorTenant);
export const isMSP = computed(() => !!home.value?.msp);
// The tenant the views act on: the customer while switched, else home.
export const actingTenant = computed(() => session.value?.tenantId || claims.value?.tid || '');

// decodeClaims reads a JWT's payload; the API verifies it, the page only shows it.
export function decodeClaims(token) {
  const part = token.split('.')[1] || '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

export function setIdentity(token, mode) {
  notice.value = '';
  identity.value = { token, claims: decodeClaims(token), mode };
}

let signOutHook = null;
export function onSignOut(fn) { signOutHook = fn; }

export function signOut(message = '') {
  identity.value = null;
  home.value = null;
  session.value = null;
  accepted.value = null;
  notice.value = message;
  if (signOutHook) signOutHook();
}

// Tokens end by the clock: the identity token signs the user out, the switch
// session returns them home.
effect(() => {
  const t = now.value;
  const exp = identity.peek()?.claims?.exp;
  if (exp && t >= exp * 1000) signOut('Your sign-in expired; sign in again.');
  const s = session.peek();
  if (s && t >= Date.parse(s.expiresAt)) {
    session.value = null;
    notice.value = `Your session in ${s.tenantName || s.tenantId} ended at ${new Date(s.expiresAt).toLocaleTimeString()}.`;
  }
});

// timeLeft formats the time until an instant as m:ss (or h:mm:ss).
export function timeLeft(until, from = now.value) {
  let s = Math.max(0, Math.floor((Date.parse(until) - from) / 1000));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const pad = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
