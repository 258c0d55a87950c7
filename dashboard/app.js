// The dashboard's shell: routing by location.hash. Pages are in requests.js and instances.js, shared
// pieces in parts.js, the API client and the live feed in api.js. Plain ES modules, no build step.
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { InstanceDetail, InstancesPage } from './instances.js';
import { RequestDetail, RequestsPage } from './requests.js';

const html = htm.bind(h);

function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return parts;
}

// The devhost's dashboard for any app has no request projection: instances only.
const withRequests = window.DASHBOARD.requests !== false;

function App() {
  const [route, id] = useRoute();
  const section = withRequests ? route : 'instances';
  let page;
  if (section === 'instances' && id) page = html`<${InstanceDetail} id=${id} />`;
  else if (section === 'instances') page = html`<${InstancesPage} />`;
  else if (section === 'requests' && id) page = html`<${RequestDetail} id=${id} />`;
  else page = html`<${RequestsPage} />`;
  return html` <header>
      <strong>${withRequests ? 'Saga workflow' : 'devhost: orchestrations'}</strong>
      <nav>
        ${withRequests && html`<a href="#/requests" class=${section !== 'instances' ? 'active' : ''}>Requests</a>`}
        <a href="#/instances" class=${section === 'instances' ? 'active' : ''}>Instances</a>
      </nav>
    </header>
    <main>${page}</main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the static "Loading…" placeholder
render(html`<${App} />`, root);
