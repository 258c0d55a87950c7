// The dashboard's pages. Every value is rendered as text by preact (never as HTML), so a payload with
// markup shows as the characters it contains.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api, onChange, startFeed } from './api.js';

const html = htm.bind(h);
const STAGES = ['New', 'Discovered', 'Prepared', 'Submitted', 'Polling', 'Terminal', 'Completed', 'NeedsIntervention'];
const OUTCOMES = ['Pass', 'Fail', 'Cancelled', 'TimedOut'];
const INSTANCE_STATUSES = ['Running', 'Pending', 'Suspended', 'Completed', 'Failed', 'Terminated', 'Canceled'];
const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 23) : '');
const ms = (iso) => (iso ? Date.parse(iso) : NaN);

function ErrorNote({ error }) {
  return error ? html`<p class="error" role="alert">${error.message}</p>` : null;
}

/** Runs an operator action after the browser's confirm dialog, then shows the API's answer. */
function ActionButton({ id, action, label, body, onDone, danger }) {
  const [answer, setAnswer] = useState(null);
  const run = async () => {
    if (!confirm(`${label} ${id}?`)) return;
    try {
      const r = await api(`instances/${encodeURIComponent(id)}/${action}`, {}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify((typeof body === 'function' ? body() : body) ?? {}) });
      setAnswer({ ok: true, text: `Durable API: HTTP ${r.status}${r.answer === null || r.answer === '' ? '' : ` ${JSON.stringify(r.answer)}`}` });
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
function Pager({ pages, setPages, next }) {
  return html`<nav class="pager">
    <button disabled=${pages.length <= 1} onClick=${() => setPages(pages.slice(0, -1))}>previous</button>
    <span>page ${pages.length}</span>
    <button disabled=${!next} onClick=${() => setPages([...pages, next])}>next</button>
  </nav>`;
}

// ---- requests -------------------------------------------------------------------------------

export function RequestsPage() {
  const [filter, setFilter] = useState({ stage: '', outcome: '', needsIntervention: '', from: '', to: '' });
  const [pages, setPages] = useState([undefined]); // continuation tokens, one per page
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const token = pages[pages.length - 1];

  const [counts, setCounts] = useState(null);
  // Rows first, counts alongside: the list never waits for the aggregate.
  const fetchPage = () => api('requests', { ...filter, from: filter.from && new Date(filter.from).toISOString(), to: filter.to && new Date(filter.to).toISOString(), top: 50, continuationToken: token, counts: false });
  // The page's unfiltered first page was requested while the modules loaded; use it once.
  const unfiltered = !Object.values(filter).some((v) => v !== '') && token === undefined;
  const prefetched = unfiltered && window.DASHBOARD.firstPage;
  window.DASHBOARD.firstPage = null;
  const load = () =>
    (prefetched ? prefetched.then((d) => d ?? fetchPage()) : fetchPage())
      .then((d) => { setData(d); setError(null); }, setError);
  // The counts and the live feed follow the first page, so they never delay it.
  useEffect(() => { load().then(() => { startFeed(); return counts ?? api('counts').then(setCounts); }).catch(setError); }, [JSON.stringify(filter), token]);
  useEffect(() => onChange((change) => {
    setData((d) => {
      if (!d) return d;
      const byId = new Map(change.items.map((v) => [v.id, v]));
      return { ...d, items: d.items.map((v) => byId.get(v.id) ?? v) };
    });
    setCounts(change.counts);
  }), []);

  const set = (k) => (e) => { setPages([undefined]); setFilter({ ...filter, [k]: e.target.value }); };
  return html`
    <section class="counts" aria-label="counts by stage">
      <span class="count"><b>${counts?.total ?? '…'}</b> requests</span>
      ${STAGES.map((s) => html`<button class=${`count stage-${s}${filter.stage === s ? ' active' : ''}`} data-count=${s}
        onClick=${() => { setPages([undefined]); setFilter({ ...filter, stage: filter.stage === s ? '' : s }); }}>
        <b>${counts?.byStage?.[s] ?? 0}</b> ${s}</button>`)}
      ${OUTCOMES.map((o) => html`<span class="count outcome">${o} <b data-outcome-count=${o}>${counts?.byOutcome?.[o] ?? 0}</b></span>`)}
      <span class="count warn">needs intervention <b>${counts?.needsIntervention ?? 0}</b></span>
    </section>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>stage <select name="stage" value=${filter.stage} onChange=${set('stage')}><option value="">any</option>${STAGES.map((s) => html`<option>${s}</option>`)}</select></label>
      <label>outcome <select name="outcome" value=${filter.outcome} onChange=${set('outcome')}><option value="">any</option>${OUTCOMES.map((s) => html`<option>${s}</option>`)}</select></label>
      <label>needs intervention <select name="needsIntervention" value=${filter.needsIntervention} onChange=${set('needsIntervention')}><option value="">any</option><option value="true">yes</option><option value="false">no</option></select></label>
      <label>updated from <input type="datetime-local" name="from" value=${filter.from} onChange=${set('from')} /></label>
      <label>to <input type="datetime-local" name="to" value=${filter.to} onChange=${set('to')} /></label>
    </form>
    <${ErrorNote} error=${error} />
    <table class="list" id="requests">
      <thead><tr><th>request</th><th>stage</th><th>outcome</th><th>attempt</th><th>external job</th><th>updated</th></tr></thead>
      <tbody>${(data?.items ?? []).map((v) => html`<tr data-id=${v.id} class=${v.needsIntervention ? 'warn' : ''}>
        <td><a href=${`#/requests/${encodeURIComponent(v.id)}`}>${v.id}</a></td>
        <td data-stage=${v.stage}>${v.stage}</td><td data-outcome=${v.outcome ?? ''}>${v.outcome ?? ''}</td><td>${v.attempt}</td>
        <td>${v.externalJobId ?? ''} ${v.lastExternalStatus ? `(${v.lastExternalStatus})` : ''}</td><td>${time(v.updatedAt)}</td></tr>`)}</tbody>
    </table>
    <${Pager} pages=${pages} setPages=${setPages} next=${data?.continuationToken} />`;
}

export function RequestDetail({ id }) {
  const [data, setData] = useState(null);
  const [trace, setTrace] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api(`requests/${encodeURIComponent(id)}`).then((d) => {
    setData(d);
    setError(null);
    if (d.traceId) api(`traces/${d.traceId}`).then(setTrace, (e) => setTrace({ error: e }));
  }, setError);
  useEffect(() => { load().then(startFeed); }, [id]);
  useEffect(() => onChange((change) => { if (change.items.some((v) => v.id === id)) load(); }), [id]);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!data) return html`<p>Loading ${id}…</p>`;
  const v = data.view;
  const running = ['Running', 'Pending', 'Suspended'].includes(data.instance?.runtimeStatus);
  return html`
    <h1>Request <span class="mono">${id}</span></h1>
    <dl class="summary">
      <dt>stage</dt><dd id="stage">${v?.stage ?? 'not admitted'}</dd>
      <dt>outcome</dt><dd id="outcome">${v?.outcome ?? ''}</dd>
      <dt>reason</dt><dd>${v?.reason ?? ''}</dd>
      <dt>attempt</dt><dd>${v?.attempt ?? ''}</dd>
      <dt>orchestration</dt><dd id="runtime">${data.instance?.runtimeStatus ?? 'none'} ${data.instance?.customStatus?.stage ? `(${data.instance.customStatus.stage})` : ''}</dd>
      <dt>trace</dt><dd class="mono">${data.traceId ?? ''}</dd>
    </dl>
    ${running && html`<p><${ActionButton} id=${id} action="cancel" label="Cancel request" body=${{ reason: 'cancelled from the dashboard' }} onDone=${load} danger /></p>`}
    <p><a href=${`#/instances/${encodeURIComponent(id)}`}>orchestration instance and operator actions</a></p>
    <h2>Timeline</h2>
    <${Gantt} rows=${timelineRows(data.timeline, trace?.spans)} />
    <h2>Domain events (${data.events.length})</h2>
    <ol class="events" id="events">${data.events.map((e) => html`<li><details><summary><b>${e.type}</b> <span class="mono">#${Number(e.sequence)}</span> ${time(e.time)}</summary><pre>${JSON.stringify(e, null, 2)}</pre></details></li>`)}</ol>
    <h2>Trace</h2>
    ${trace?.error ? html`<p class="note">${trace.error.message}</p>` : html`<${Waterfall} spans=${trace?.spans ?? []} />`}`;
}

/** Gantt rows: earlier executions and their activities from the trace, the current one from its history. */
function timelineRows(history, spans) {
  const rows = [...(history ?? [])];
  const currentStart = Math.min(...rows.filter((r) => r.kind === 'execution').map((r) => ms(r.start)));
  for (const s of spans ?? []) {
    if (!/^(orchestration|activity):/.test(s.name) || !(s.endMs <= currentStart)) continue;
    rows.push({ kind: s.name.startsWith('orchestration:') ? 'execution' : 'activity', name: s.name.replace(/^\w+:/, ''), start: new Date(s.startMs).toISOString(), end: new Date(s.endMs).toISOString(), status: s.status === 2 ? 'failed' : 'completed' });
  }
  return rows.sort((a, b) => ms(a.start) - ms(b.start));
}

function Gantt({ rows }) {
  if (rows.length === 0) return html`<p class="note">No orchestration history.</p>`;
  const now = Date.now();
  const t0 = Math.min(...rows.map((r) => ms(r.start)));
  const t1 = Math.max(...rows.map((r) => (r.end ? ms(r.end) : now)), t0 + 1);
  const pct = (t) => ((t - t0) / (t1 - t0)) * 100;
  return html`<div class="gantt" id="timeline">${rows.map((r) => {
    const start = ms(r.start);
    const end = r.end ? ms(r.end) : now;
    return html`<div class=${`row kind-${r.kind} status-${r.status}`} data-kind=${r.kind}>
      <span class="label">${r.kind === 'activity' && r.name === 'pollJob' ? 'poll' : r.kind} ${r.name}</span>
      <span class="track"><span class="bar" style=${`left:${pct(start)}%;width:${Math.max(pct(end) - pct(start), 0.4)}%`} title=${`${time(r.start)} → ${time(r.end)} (${r.status})`}></span></span>
      <span class="dur">${r.end ? `${end - start} ms` : r.status}</span></div>`;
  })}</div>`;
}

function Waterfall({ spans }) {
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
  const walk = (key) => (children.get(key) ?? []).sort((a, b) => a.startMs - b.startMs).forEach((s) => { ordered.push(s); walk(s.spanId); });
  walk('root');
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const t1 = Math.max(...spans.map((s) => s.endMs), t0 + 1);
  const pct = (t) => ((t - t0) / (t1 - t0)) * 100;
  const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
  return html`<div class="waterfall" id="trace">${ordered.map((s) => html`<div class=${`row span-kind-${KINDS[s.kind] ?? s.kind}${s.status === 2 ? ' status-failed' : ''}`} data-span=${s.name}>
    <span class="label" style=${`padding-left:${depthOf(s) * 12}px`} title=${JSON.stringify(s.attributes)}>${s.name}</span>
    <span class="track"><span class="bar" style=${`left:${pct(s.startMs)}%;width:${Math.max(pct(s.endMs) - pct(s.startMs), 0.3)}%`}></span></span>
    <span class="dur">${s.endMs - s.startMs} ms</span></div>`)}</div>`;
}

// ---- instances ------------------------------------------------------------------------------

export function InstancesPage() {
  const [status, setStatus] = useState('');
  const [prefix, setPrefix] = useState('');
  const [pages, setPages] = useState([undefined]);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const token = pages[pages.length - 1];
  useEffect(() => { api('instances', { runtimeStatus: status, prefix, top: 50, continuationToken: token }).then((d) => { setData(d); setError(null); }, setError); }, [status, prefix, token]);
  return html`
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>status <select value=${status} onChange=${(e) => { setPages([undefined]); setStatus(e.target.value); }}><option value="">any</option>${INSTANCE_STATUSES.map((s) => html`<option>${s}</option>`)}</select></label>
      <label>id starts with <input value=${prefix} onChange=${(e) => { setPages([undefined]); setPrefix(e.target.value); }} /></label>
    </form>
    <${ErrorNote} error=${error} />
    <table class="list" id="instances">
      <thead><tr><th>instance</th><th>orchestrator</th><th>status</th><th>created</th><th>updated</th></tr></thead>
      <tbody>${(data?.items ?? []).map((i) => html`<tr data-id=${i.instanceId}><td><a href=${`#/instances/${encodeURIComponent(i.instanceId)}`}>${i.instanceId}</a></td>
        <td>${i.name}</td><td>${i.runtimeStatus}</td><td>${time(i.createdTime)}</td><td>${time(i.lastUpdatedTime)}</td></tr>`)}</tbody>
    </table>
    <${Pager} pages=${pages} setPages=${setPages} next=${data?.continuationToken} />`;
}

export function InstanceDetail({ id }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const eventName = useRef(null);
  const eventData = useRef(null);
  const load = () => api(`instances/${encodeURIComponent(id)}`).then((d) => { setData(d); setError(null); }, setError);
  useEffect(() => { load(); }, [id]);
  const eventBody = () => {
    const raw = eventData.current?.value ?? '';
    const parsed = (() => {
      try {
        return raw ? JSON.parse(raw) : null;
      } catch {
        return raw; // not JSON: sent as a string
      }
    })();
    return { eventName: eventName.current?.value || undefined, eventData: parsed };
  };
  const actions = [['cancel', 'Cancel (workflow cancel)'], ['terminate', 'Terminate'], ['suspend', 'Suspend'], ['resume', 'Resume'], ['restart', 'Restart'], ['rewind', 'Rewind'], ['purge', 'Purge history']];
  return html`
    <h1>Instance <span class="mono">${id}</span></h1>
    <${ErrorNote} error=${error} />
    ${data && html`
      <dl class="summary"><dt>orchestrator</dt><dd>${data.name}</dd><dt>status</dt><dd id="instance-status">${data.runtimeStatus}</dd>
        <dt>created</dt><dd>${time(data.createdTime)}</dd><dt>updated</dt><dd>${time(data.lastUpdatedTime)}</dd>
        <dt>custom status</dt><dd><pre>${JSON.stringify(data.customStatus, null, 2)}</pre></dd></dl>
      <p class="actions">${actions.map(([a, label]) => html`<${ActionButton} id=${id} action=${a} label=${label} onDone=${load} danger=${a !== 'resume'} />`)}</p>
      <p class="actions">
        <input ref=${eventName} placeholder="event name" /> <input ref=${eventData} placeholder="event data (JSON)" />
        <${ActionButton} id=${id} action="raise-event" label="Raise event" body=${eventBody} onDone=${load} />
      </p>
      <h2>Timeline</h2><${Gantt} rows=${data.timeline} />
      <h2>History (${data.history.length})</h2>
      <table class="list history"><thead><tr><th>time</th><th>event</th><th>name</th><th>detail</th></tr></thead>
        <tbody>${data.history.map((e) => html`<tr><td>${time(e.Timestamp)}</td><td>${e.EventType}</td><td>${e.FunctionName ?? e.Name ?? ''}</td>
          <td><pre>${JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => !['Timestamp', 'EventType', 'FunctionName', 'Name'].includes(k))))}</pre></td></tr>`)}</tbody></table>`}`;
}
