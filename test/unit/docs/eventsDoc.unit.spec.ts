import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderEventsDoc } from '../../../scripts/eventsDoc';
import { REQUEST_EVENT_TYPES } from '../../../src/domain/events';
import { WIRE_TYPES } from '../../../src/infrastructure/events/wireTypes';

describe('docs/EVENTS.md', () => {
  it('is exactly what the JSON Schemas generate (run `npm run docs:events` after changing a schema)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'EVENTS.md'), 'utf8');
    expect(committed).to.equal(renderEventsDoc());
  });

  it('documents every event type with its fields', () => {
    const doc = renderEventsDoc();
    for (const t of REQUEST_EVENT_TYPES) expect(doc).to.contain(`## \`${WIRE_TYPES[t]}\``);
    expect(doc).to.contain('| `externalJobId` | string | yes |');
  });
});
