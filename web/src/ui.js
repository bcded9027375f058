// Shared pieces of every view: the error note (a problem document's detail),
// actions that show they are running, lists that page with nextCursor,
// labelled form controls and a confirmation dialog.
import { html } from 'htm/preact';
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';

export function ErrorNote({ error }) {
  if (!error) return null;
  const p = error.problem || {};
  return html`<div class="error" role="alert">
    <strong>${p.title || 'Error'}${error.status ? ` (${error.status})` : ''}:</strong> ${error.message}
    ${p.reason && html` <span class="reason">Reason: <code>${p.reason}</code></span>`}
    ${p.field && html` <span class="field">Field: <code>${p.field}</code></span>`}
    ${p.values?.length ? html` <span class="values">Values: ${p.values.map((v) => html`<code>${v}</code> `)}</span>` : null}
  </div>`;
}

export function Progress({ label }) {
  return html`<p class="progress" role="status"><progress aria-label=${label}></progress> ${label}</p>`;
}

// useAction runs one operation at a time and keeps its outcome.
export function useAction() {
  const [state, setState] = useState({ busy: false, error: null, result: null });
  const run = useCallback(async (fn) => {
    setState({ busy: true, error: null, result: null });
    try {
      const result = await fn();
      setState({ busy: false, error: null, result });
      return result;
    } catch (error) {
      setState({ busy: false, error, result: null });
      return undefined;
    }
  }, []);
  return { ...state, run, reset: () => setState({ busy: false, error: null, result: null }) };
}

// useLoad reads something when its deps change: {data, error, loading, reload}.
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then((data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }));
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

// Paged shows a list route page by page: load(cursor) answers
// {items, nextCursor}; children(items, reload) renders what is loaded.
// onWhy(detail|null) hears what the first page said of why it is empty.
export function Paged({ load, deps = [], label = 'items', empty = 'None.', children, onWhy }) {
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(undefined);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  // A list the caller may not have at all says why (e.g. the switcher's
  // reason switch-not-permitted) instead of looking merely empty.
  const [why, setWhy] = useState(null);
  const gen = useRef(0);
  const fetchPage = async (c, replace) => {
    const mine = ++gen.current;
    setBusy(true);
    setError(null);
    try {
      const p = await load(c);
      if (mine !== gen.current) return;
      setItems((old) => (replace ? p.items : [...old, ...p.items]));
      setCursor(p.nextCursor);
      if (replace) {
        const w = p.reason ? { reason: p.reason, detail: p.detail || p.reason } : null;
        setWhy(w);
        if (onWhy) onWhy(w);
      }
    } catch (e) {
      if (mine === gen.current) setError(e);
    } finally {
      if (mine === gen.current) setBusy(false);
    }
  };
  useEffect(() => { fetchPage(undefined, true); }, [...deps, tick]);
  const reload = () => setTick((t) => t + 1);
  return html`<div class="paged" aria-busy=${busy}>
    <${ErrorNote} error=${error} />
    ${items.length ? children(items, reload) : !busy && !error ? (why
      ? html`<p class="notice why" role="status"><strong>Not available to you:</strong> ${why.detail} <span class="reason">Reason: <code>${why.reason}</code></span></p>`
      : html`<p class="empty">${empty}</p>`) : null}
    ${busy && html`<${Progress} label=${`Loading ${label}…`} />`}
    ${cursor && !busy && html`<p><button type="button" class="secondary" onClick=${() => fetchPage(cursor, false)}>Load more ${label}</button></p>`}
  </div>`;
}

export function Field({ label, hint, children }) {
  return html`<label class="field">
    <span class="label">${label}</span>
    ${children}
    ${hint && html`<span class="hint">${hint}</span>`}
  </label>`;
}

// Checks is a group of checkboxes over options [{value, label, hint}].
export function Checks({ legend, options, selected, onChange, name }) {
  const toggle = (v) => onChange(selected.includes(v) ? selected.filter((x) => x !== v) : [...selected, v]);
  return html`<fieldset class="checks">
    <legend>${legend}</legend>
    ${options.length === 0 && html`<p class="empty">Nothing to choose from.</p>`}
    ${options.map((o) => html`<label class="check">
      <input type="checkbox" name=${name} value=${o.value} checked=${selected.includes(o.value)} onChange=${() => toggle(o.value)} />
      <span>${o.label || o.value}</span>${o.hint && html` <span class="hint">${o.hint}</span>`}
    </label>`)}
  </fieldset>`;
}

// lines splits a textarea into its non-blank lines; commas split too.
export function lines(text) {
  return text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

export function When({ at }) {
  if (!at) return html`<span>—</span>`;
  const d = new Date(at);
  return html`<time datetime=${at} title=${at}>${d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time>`;
}

export function Chips({ items }) {
  if (!items?.length) return html`<span class="muted">none</span>`;
  return html`<ul class="chips">${items.map((r) => html`<li><code>${r}</code></li>`)}</ul>`;
}

// ConfirmButton asks in a modal dialog before it acts. label names the
// action in full (its accessible name); text, when given, is what shows.
export function ConfirmButton({ label, text, question, confirm = label, onConfirm, busy, danger = true }) {
  const ref = useRef(null);
  const ok = async () => {
    ref.current.close();
    await onConfirm();
  };
  return html`<span>
    <button type="button" class=${danger ? 'danger' : ''} disabled=${busy} aria-label=${text ? label : undefined}
      onClick=${() => ref.current.showModal()}>${text || label}</button>
    <dialog ref=${ref} class="confirm" aria-label=${label}>
      <p>${question}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => ref.current.close()}>Cancel</button>
        <button type="button" class=${danger ? 'danger' : ''} onClick=${ok}>${confirm}</button>
      </div>
    </dialog>
  </span>`;
}

// Done says that an action succeeded, for screen readers too.
export function Done({ children }) {
  return html`<p class="done" role="status">${children}</p>`;
}
