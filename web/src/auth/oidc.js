// Sign-in in AWS: OpenID Connect, authorization code with PKCE, through
// oidc-client-ts. Tokens are kept in memory only (InMemoryWebStorage); only
// the short-lived request state (PKCE verifier, return path) sits in
// sessionStorage across the redirect to the identity provider and back.
import { UserManager, WebStorageStateStore, InMemoryWebStorage } from 'oidc-client-ts';
import { setIdentity, onSignOut } from '../state.js';

export const callbackPath = '/console/callback';
let manager;

function userManager(cfg) {
  if (!manager) {
    manager = new UserManager({
      authority: cfg.issuer,
      client_id: cfg.clientId,
      redirect_uri: location.origin + callbackPath,
      post_logout_redirect_uri: location.origin + '/console/',
      response_type: 'code',
      scope: cfg.scope || 'openid profile',
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      automaticSilentRenew: false,
    });
    onSignOut(() => { manager.removeUser(); });
  }
  return manager;
}

// The API takes the access token (its audience is the API); an identity
// provider that issues none for it falls back to the ID token.
function tokenOf(user) {
  return user.access_token || user.id_token;
}

export async function signInOIDC(cfg, returnTo) {
  await userManager(cfg).signinRedirect({ state: { returnTo } });
}

// completeOIDC finishes the redirect back from the identity provider and
// answers where the user was going.
export async function completeOIDC(cfg) {
  const user = await userManager(cfg).signinRedirectCallback();
  setIdentity(tokenOf(user), 'oidc');
  return user.state?.returnTo || '/console/';
}
