// The instances pages: every orchestration of the task hub, and one with its history and the Durable
// API's operator actions.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { ActionButton, ErrorNote, Gantt, html, Pager, time } from './parts.js';

const INSTANCE_STATUSES = ['Running', 'Pending', 'Suspended', 'Completed', 'Failed', 'Terminated', 'Canceled'];

export function InstancesPage() {
  const [status, setStatus] = useState('');
  const [prefix, setPrefix] = useState('');
  const [pages, setPages] = useState([undefined]);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const token = pages[pages.length - 1];
  useEffect(() => {
    api('instances', { runtimeStatus: status, prefix, top: 50, continuationToken: token }).then((d) => {
      setData(d);
      setError(null);
    }, setError);
  }, [status, prefix, token]);
  return html` <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label
        >status
        <select
          value=${status}
          onChange=${(e) => {
            setPages([undefined]);
            setStatus(e.target.value);
          }}
        >
          <option value="">any</option>
          ${INSTANCE_STATUSES.map((s) => html`<option>${s}</option>`)}
        </select></label
      >
      <label
        >id starts with
        <input
          value=${prefix}
          onChange=${(e) => {
            setPages([undefined]);
            setPrefix(e.target.value);
          }}
      /></label>
    </form>
    <${ErrorNote} error=${error} />
    <table class="list" id="instances">
      <thead>
        <tr>
          <th>instance</th>
          <th>orchestrator</th>
          <th>status</th>
          <th>created</th>
          <th>updated</th>
        </tr>
      </thead>
      <tbody>
        ${(data?.items ?? []).map(
          (i) =>
            html`<tr data-id=${i.instanceId}>
              <td><a href=${`#/instances/${encodeURIComponent(i.instanceId)}`}>${i.instanceId}</a></td>
              <td>${i.name}</td>
              <td>${i.runtimeStatus}</td>
              <td>${time(i.createdTime)}</td>
              <td>${time(i.lastUpdatedTime)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} pages=${pages} setPages=${setPages} next=${data?.continuationToken} />`;
}

export function InstanceDetail({ id }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const eventName = useRef(null);
  const eventData = useRef(null);
  const load = () =>
    api(`instances/${encodeURIComponent(id)}`).then((d) => {
      setData(d);
      setError(null);
    }, setError);
  useEffect(() => {
    load();
  }, [id]);
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
  const actions = [
    ['cancel', 'Cancel (workflow cancel)'],
    ['terminate', 'Terminate'],
    ['suspend', 'Suspend'],
    ['resume', 'Resume'],
    ['restart', 'Restart'],
    ['rewind', 'Rewind'],
    ['purge', 'Purge history'],
  ];
  return html` <h1>Instance <span class="mono">${id}</span></h1>
    <${ErrorNote} error=${error} />
    ${
      data &&
      html` <dl class="summary">
          <dt>orchestrator</dt>
          <dd>${data.name}</dd>
          <dt>status</dt>
          <dd id="instance-status">${data.runtimeStatus}</dd>
          <dt>created</dt>
          <dd>${time(data.createdTime)}</dd>
          <dt>updated</dt>
          <dd>${time(data.lastUpdatedTime)}</dd>
          <dt>custom status</dt>
          <dd><pre>${JSON.stringify(data.customStatus, null, 2)}</pre></dd>
        </dl>
        <p class="actions">
          ${actions.map(([a, label]) => html`<${ActionButton} id=${id} action=${a} label=${label} onDone=${load} danger=${a !== 'resume'} />`)}
        </p>
        <p class="actions">
          <input ref=${eventName} placeholder="event name" /> <input ref=${eventData} placeholder="event data (JSON)" />
          <${ActionButton} id=${id} action="raise-event" label="Raise event" body=${eventBody} onDone=${load} />
        </p>
        <h2>Timeline</h2>
        <${Gantt} rows=${data.timeline} />
        <h2>History (${data.history.length})</h2>
        <table class="list history">
          <thead>
            <tr>
              <th>time</th>
              <th>event</th>
              <th>name</th>
              <th>detail</th>
            </tr>
          </thead>
          <tbody>
            ${data.history.map(
              (e) =>
                html`<tr>
                  <td>${time(e.Timestamp)}</td>
                  <td>${e.EventType}</td>
                  <td>${e.FunctionName ?? e.Name ?? ''}</td>
                  <td>
                    <pre>
${JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => !['Timestamp', 'EventType', 'FunctionName', 'Name'].includes(k))))}</pre>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>`
    }`;
}
