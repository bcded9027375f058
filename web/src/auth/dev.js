// Local sign-in: the local stack's identity provider, POST /dev/token. It
// exists only in the local stack; the config document says when to use it.
import { request } from '../api.js';
import { setIdentity } from '../state.js';

export async function signInDev({ sub, tid, groups, amr }) {
  const body = { sub, tid };
  if (groups?.length) body.groups = groups;
  if (amr?.length) body.amr = amr;
  const { token } = await request('POST', '/dev/token', body, { anonymous: true });
  setIdentity(token, 'dev');
}
