// Shared pieces of the dashboard's pages: error notes, confirmed operator actions, paging, and the two
// time charts (Gantt of an orchestration, waterfall of a trace). Values render as text, never as HTML.
import { h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';

export const html = htm.bind(h);
export const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 23) : '');
export const ms = (iso) => (iso ? Date.parse(iso) : NaN);

export function ErrorNote({ error }) {
  return error ? html`<p class="error" role="alert">${error.message}</p>` : null;
}

/** Runs an operator action after the browser's confirm dialog, then shows the API's answer. */
export function ActionButton({ id, action, label, body, onDone, danger }) {
  const [answer, setAnswer] = useState(null);
  const run = async () => {
    if (!confirm(`${label} ${id}?`)) return;
    try {
      const r = await api(
        `instances/${encodeURIComponent(id)}/${action}`,
        {},
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify((typeof body === 'function' ? body() : body) ?? {}),
        },
      );
      setAnswer({
        ok: true,
        text: `Durable API: HTTP ${r.status}${r.answer === null || r.answer === '' ? '' : ` ${JSON.stringify(r.answer)}`}`,
      });
      onDone?.();
    } catch (e) {
      setAnswer({ ok: false, text: `refused: HTTP ${e.status ?? '?'} ${e.message}` });
    }
  };
  return html`<span class="action">
    <button class=${danger ? 'danger' : ''} data-action=${action} onClick=${run}>${label}</button>
    ${answer && html`<output class=${answer.ok ? 'ok' : 'error'} data-answer=${action}>${answer.text}</output>`}
  </span>`;
}

/** Continuation-token paging: the stack of tokens is the way back. */
export function Pager({ pages, setPages, next }) {
  return html`<nav class="pager">
    <button disabled=${pages.length <= 1} onClick=${() => setPages(pages.slice(0, -1))}>previous</button>
    <span>page ${pages.length}</span>
    <button disabled=${!next} onClick=${() => setPages([...pages, next])}>next</button>
  </nav>`;
}

export function Gantt({ rows }) {
  if (rows.length === 0) return html`<p class="note">No orchestration history.</p>`;
  const now = Date.now();
  const t0 = Math.min(...rows.map((r) => ms(r.start)));
  const t1 = Math.max(...rows.map((r) => (r.end ? ms(r.end) : now)), t0 + 1);
  const pct = (t) => ((t - t0) / (t1 - t0)) * 100;
  return html`<div class="gantt" id="timeline">
    ${rows.map((r) => {
      const start = ms(r.start);
      const end = r.end ? ms(r.end) : now;
      return html`<div class=${`row kind-${r.kind} status-${r.status}`} data-kind=${r.kind}>
        <span class="label">${r.kind === 'activity' && r.name === 'pollJob' ? 'poll' : r.kind} ${r.name}</span>
        <span class="track"
          ><span
            class="bar"
            style=${`left:${pct(start)}%;width:${Math.max(pct(end) - pct(start), 0.4)}%`}
            title=${`${time(r.start)} → ${time(r.end)} (${r.status})`}
          ></span
        ></span>
        <span class="dur">${r.end ? `${end - start} ms` : r.status}</span>
      </div>`;
    })}
  </div>`;
}

export function Waterfall({ spans }) {
  if (spans.length === 0) return html`<p class="note">No spans received yet.</p>`;
  const ids = new Set(spans.map((s) => s.spanId));
  const depth = new Map();
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const depthOf = (s) => {
    if (depth.has(s.spanId)) return depth.get(s.spanId);
    const d = s.parentSpanId && ids.has(s.parentSpanId) ? depthOf(byId.get(s.parentSpanId)) + 1 : 0;
    depth.set(s.spanId, d);
    return d;
  };
  // Depth-first order, so each span sits under its parent.
  const children = new Map();
  for (const s of spans) {
    const p = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : 'root';
    children.set(p, [...(children.get(p) ?? []), s]);
  }
  const ordered = [];
  const walk = (key) =>
    (children.get(key) ?? [])
      .sort((a, b) => a.startMs - b.startMs)
      .forEach((s) => {
        ordered.push(s);
        walk(s.spanId);
      });
  walk('root');
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const t1 = Math.max(...spans.map((s) => s.endMs), t0 + 1);
  const pct = (t) => ((t - t0) / (t1 - t0)) * 100;
  const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
  return html`<div class="waterfall" id="trace">
    ${ordered.map(
      (s) =>
        html`<div
          class=${`row span-kind-${KINDS[s.kind] ?? s.kind}${s.status === 2 ? ' status-failed' : ''}`}
          data-span=${s.name}
        >
          <span class="label" style=${`padding-left:${depthOf(s) * 12}px`} title=${JSON.stringify(s.attributes)}
            >${s.name}</span
          >
          <span class="track"
            ><span
              class="bar"
              style=${`left:${pct(s.startMs)}%;width:${Math.max(pct(s.endMs) - pct(s.startMs), 0.3)}%`}
            ></span
          ></span>
          <span class="dur">${s.endMs - s.startMs} ms</span>
        </div>`,
    )}
  </div>`;
}
