// The HTTP API client: one place that sends the bearer token, an
// Idempotency-Key on every POST that takes one, retries a 503 after its
// Retry-After, and turns every RFC 9457 problem document into an ApiError
// whose message is the document's detail.
import { config, identity, signOut } from './state.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// POST routes that take no Idempotency-Key: a check is a read, a switch
// mints a fresh session each time.
const noIdempotency = new Set(['/check-access', '/switch']);
const maxRetries = 2;

function base() {
  return (config.value?.apiUrl || '').replace(/\/$/, '');
}

export async function request(method, path, body, { token, anonymous } = {}) {
  const headers = { Accept: 'application/json' };
  const bearer = token || identity.value?.token;
  if (!anonymous && bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'POST' && !noIdempotency.has(path.split('?')[0]) && !anonymous) {
    headers['Idempotency-Key'] = crypto.randomUUID();
  }
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(base() + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ApiError(0, { title: 'Network error', detail: `The API at ${base() || location.origin} cannot be reached (${err.message}).` });
    }
    if (res.status === 503 && attempt < maxRetries) {
      // Nothing was changed; the same request (same Idempotency-Key) again.
      const wait = Number(res.headers.get('Retry-After')) || 1;
      await new Promise((r) => setTimeout(r, wait * 1000));
      continue;
    }
    const text = await res.text();
    let doc = null;
    if (text) {
      try { doc = JSON.parse(text); } catch { doc = { detail: text.trim() }; }
    }
    if (!res.ok) {
      const err = new ApiError(res.status, doc || { title: res.statusText });
      if (res.status === 401 && !anonymous) signOut(`Signed out: ${err.message}`);
      throw err;
    }
    return doc;
  }
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);
export const del = (path) => request('DELETE', path);
export const patch = (path, body) => request('PATCH', path, body);

// query builds "?a=1&b=2" from the set values of an object.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// page reads one page of a list route: {items, nextCursor}.
export function page(path, params = {}, cursor) {
  return get(path + query({ ...params, cursor }));
}

// find pages through a list until pick matches an item (at most maxPages).
export async function find(path, params, pick, maxPages = 20) {
  let cursor;
  for (let i = 0; i < maxPages; i++) {
    const p = await page(path, params, cursor);
    const hit = p.items.find(pick);
    if (hit) return hit;
    if (!p.nextCursor) return null;
    cursor = p.nextCursor;
  }
  return null;
}

export const enc = encodeURIComponent;
