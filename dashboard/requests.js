// The requests pages: the list over the projection (filters, paging, counts, live updates) and one
// request (timeline, CloudEvents, trace, cancel).
import { useEffect, useState } from 'preact/hooks';
import { api, onChange, startFeed } from './api.js';
import { ActionButton, ErrorNote, Gantt, html, ms, Pager, time, Waterfall } from './parts.js';

const STAGES = ['New', 'Discovered', 'Prepared', 'Submitted', 'Polling', 'Terminal', 'Completed', 'NeedsIntervention'];
const OUTCOMES = ['Pass', 'Fail', 'Cancelled', 'TimedOut'];

export function RequestsPage() {
  const [filter, setFilter] = useState({ stage: '', outcome: '', needsIntervention: '', from: '', to: '' });
  const [pages, setPages] = useState([undefined]); // continuation tokens, one per page
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const token = pages[pages.length - 1];

  const [counts, setCounts] = useState(null);
  // Rows first, counts alongside: the list never waits for the aggregate.
  const fetchPage = () =>
    api('requests', {
      ...filter,
      from: filter.from && new Date(filter.from).toISOString(),
      to: filter.to && new Date(filter.to).toISOString(),
      top: 50,
      continuationToken: token,
      counts: false,
    });
  // The page's unfiltered first page was requested while the modules loaded; use it once.
  const unfiltered = !Object.values(filter).some((v) => v !== '') && token === undefined;
  const prefetched = unfiltered && window.DASHBOARD.firstPage;
  window.DASHBOARD.firstPage = null;
  const load = () =>
    (prefetched ? prefetched.then((d) => d ?? fetchPage()) : fetchPage()).then((d) => {
      setData(d);
      setError(null);
    }, setError);
  // The counts and the live feed follow the first page, so they never delay it.
  useEffect(() => {
    load()
      .then(() => {
        startFeed();
        return counts ?? api('counts').then(setCounts);
      })
      .catch(setError);
  }, [JSON.stringify(filter), token]);
  useEffect(
    () =>
      onChange((change) => {
        setData((d) => {
          if (!d) return d;
          const byId = new Map(change.items.map((v) => [v.id, v]));
          return { ...d, items: d.items.map((v) => byId.get(v.id) ?? v) };
        });
        setCounts(change.counts);
      }),
    [],
  );

  const set = (k) => (e) => {
    setPages([undefined]);
    setFilter({ ...filter, [k]: e.target.value });
  };
  return html` <section class="counts" aria-label="counts by stage">
      <span class="count"><b>${counts?.total ?? '…'}</b> requests</span>
      ${STAGES.map(
        (s) =>
          html`<button
            class=${`count stage-${s}${filter.stage === s ? ' active' : ''}`}
            data-count=${s}
            onClick=${() => {
              setPages([undefined]);
              setFilter({ ...filter, stage: filter.stage === s ? '' : s });
            }}
          >
            <b>${counts?.byStage?.[s] ?? 0}</b> ${s}
          </button>`,
      )}
      ${OUTCOMES.map((o) => html`<span class="count outcome">${o} <b data-outcome-count=${o}>${counts?.byOutcome?.[o] ?? 0}</b></span>`)}
      <span class="count warn">needs intervention <b>${counts?.needsIntervention ?? 0}</b></span>
    </section>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label
        >stage
        <select name="stage" value=${filter.stage} onChange=${set('stage')}>
          <option value="">any</option>
          ${STAGES.map((s) => html`<option>${s}</option>`)}
        </select></label
      >
      <label
        >outcome
        <select name="outcome" value=${filter.outcome} onChange=${set('outcome')}>
          <option value="">any</option>
          ${OUTCOMES.map((s) => html`<option>${s}</option>`)}
        </select></label
      >
      <label
        >needs intervention
        <select name="needsIntervention" value=${filter.needsIntervention} onChange=${set('needsIntervention')}>
          <option value="">any</option>
          <option value="true">yes</option>
          <option value="false">no</option>
        </select></label
      >
      <label
        >updated from <input type="datetime-local" name="from" value=${filter.from} onChange=${set('from')}
      /></label>
      <label>to <input type="datetime-local" name="to" value=${filter.to} onChange=${set('to')} /></label>
    </form>
    <${ErrorNote} error=${error} />
    <table class="list" id="requests">
      <thead>
        <tr>
          <th>request</th>
          <th>stage</th>
          <th>outcome</th>
          <th>attempt</th>
          <th>external job</th>
          <th>updated</th>
        </tr>
      </thead>
      <tbody>
        ${(data?.items ?? []).map(
          (v) =>
            html`<tr data-id=${v.id} class=${v.needsIntervention ? 'warn' : ''}>
              <td><a href=${`#/requests/${encodeURIComponent(v.id)}`}>${v.id}</a></td>
              <td data-stage=${v.stage}>${v.stage}</td>
              <td data-outcome=${v.outcome ?? ''}>${v.outcome ?? ''}</td>
              <td>${v.attempt}</td>
              <td>${v.externalJobId ?? ''} ${v.lastExternalStatus ? `(${v.lastExternalStatus})` : ''}</td>
              <td>${time(v.updatedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} pages=${pages} setPages=${setPages} next=${data?.continuationToken} />`;
}

export function RequestDetail({ id }) {
  const [data, setData] = useState(null);
  const [trace, setTrace] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    api(`requests/${encodeURIComponent(id)}`).then((d) => {
      setData(d);
      setError(null);
      if (d.traceId) api(`traces/${d.traceId}`).then(setTrace, (e) => setTrace({ error: e }));
    }, setError);
  useEffect(() => {
    load().then(startFeed);
  }, [id]);
  useEffect(
    () =>
      onChange((change) => {
        if (change.items.some((v) => v.id === id)) load();
      }),
    [id],
  );
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!data) return html`<p>Loading ${id}…</p>`;
  const v = data.view;
  const running = ['Running', 'Pending', 'Suspended'].includes(data.instance?.runtimeStatus);
  return html` <h1>Request <span class="mono">${id}</span></h1>
    <dl class="summary">
      <dt>stage</dt>
      <dd id="stage">${v?.stage ?? 'not admitted'}</dd>
      <dt>outcome</dt>
      <dd id="outcome">${v?.outcome ?? ''}</dd>
      <dt>reason</dt>
      <dd>${v?.reason ?? ''}</dd>
      <dt>attempt</dt>
      <dd>${v?.attempt ?? ''}</dd>
      <dt>orchestration</dt>
      <dd id="runtime">
        ${data.instance?.runtimeStatus ?? 'none'}
        ${data.instance?.customStatus?.stage ? `(${data.instance.customStatus.stage})` : ''}
      </dd>
      <dt>trace</dt>
      <dd class="mono">${data.traceId ?? ''}</dd>
    </dl>
    ${running && html`<p><${ActionButton} id=${id} action="cancel" label="Cancel request" body=${{ reason: 'cancelled from the dashboard' }} onDone=${load} danger /></p>`}
    <p><a href=${`#/instances/${encodeURIComponent(id)}`}>orchestration instance and operator actions</a></p>
    <h2>Timeline</h2>
    <${Gantt} rows=${timelineRows(data.timeline, trace?.spans)} />
    <h2>Domain events (${data.events.length})</h2>
    <ol class="events" id="events">
      ${data.events.map(
        (e) =>
          html`<li>
            <details>
              <summary><b>${e.type}</b> <span class="mono">#${Number(e.sequence)}</span> ${time(e.time)}</summary>
              <pre>${JSON.stringify(e, null, 2)}</pre>
            </details>
          </li>`,
      )}
    </ol>
    <h2>Trace</h2>
    ${trace?.error ? html`<p class="note">${trace.error.message}</p>` : html`<${Waterfall} spans=${trace?.spans ?? []} />`}`;
}

/** Gantt rows: earlier executions and their activities from the trace, the current one from its history. */
function timelineRows(history, spans) {
  const rows = [...(history ?? [])];
  const currentStart = Math.min(...rows.filter((r) => r.kind === 'execution').map((r) => ms(r.start)));
  for (const s of spans ?? []) {
    if (!/^(orchestration|activity):/.test(s.name) || !(s.endMs <= currentStart)) continue;
    rows.push({
      kind: s.name.startsWith('orchestration:') ? 'execution' : 'activity',
      name: s.name.replace(/^\w+:/, ''),
      start: new Date(s.startMs).toISOString(),
      end: new Date(s.endMs).toISOString(),
      status: s.status === 2 ? 'failed' : 'completed',
    });
  }
  return rows.sort((a, b) => ms(a.start) - ms(b.start));
}
