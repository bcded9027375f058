// Entry: read the config document, then render the console.
import { html } from 'htm/preact';
import { render } from 'preact';
import { config } from './state.js';
import { App } from './app.js';
import './style.css';

async function boot() {
  const root = document.getElementById('app');
  try {
    const res = await fetch('/console/config.json', { cache: 'no-cache' });
    if (!res.ok) throw new Error(`config.json answered ${res.status}`);
    config.value = await res.json();
  } catch (err) {
    root.textContent = `The console cannot start: ${err.message}.`;
    return;
  }
  if (location.pathname === '/' || location.pathname === '/console') history.replaceState(null, '', '/console/');
  root.textContent = '';
  render(html`<${App} />`, root);
}

boot();
