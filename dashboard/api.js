// The dashboard's API client (carrying the function key when the page has one) and its live feed:
// server-sent events from api/stream, reconnected by EventSource after each answer.
const { base, code } = window.DASHBOARD;

/** A URL under the dashboard's API, with the function key when the page was opened with one. */
export function apiUrl(path, params = {}) {
  const u = new URL(`${base}api/${path}`, location.origin);
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  if (code) u.searchParams.set('code', code);
  return u.href;
}

/** JSON from the API; a problem+json answer becomes an Error carrying its detail. */
export async function api(path, params, init) {
  const res = await fetch(apiUrl(path, params), init);
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { detail: text };
  }
  if (!res.ok) throw Object.assign(new Error(body?.detail ?? `HTTP ${res.status}`), { status: res.status, body });
  return body;
}

/** One EventSource for the page; views subscribe to changed views. */
const listeners = new Set();
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
let feed;
/** Opened once the first page is on screen, so the first paint never competes with the feed. */
export function startFeed() {
  if (feed) return;
  feed = new EventSource(apiUrl('stream', { since: new Date().toISOString() }));
  feed.addEventListener('changed', (e) => {
    const change = JSON.parse(e.data);
    for (const fn of listeners) fn(change);
  });
}
