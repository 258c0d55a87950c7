import * as chai from 'chai';
import { unmodelledWarnings } from '@saga/devhost/internals';

const { expect } = chai;

describe('devhost startup warnings for what it does not model', () => {
  const config = { routePrefix: 'api', taskHubName: 'Hub' };
  const reg = (name: string, bindings: Record<string, { type: string; direction: 'in' | 'out' }>) => ({
    metadata: { name, bindings },
    handler: () => undefined,
  });

  it('names a durable storage provider other than Azure Storage', () => {
    expect(unmodelledWarnings([], { ...config, storageProviderType: 'mssql' }).join('\n')).to.include(
      "selects the durable storage provider 'mssql'",
    );
    expect(unmodelledWarnings([], { ...config, storageProviderType: 'AzureStorage' })).to.deep.equal([]);
  });

  it('says nothing about triggers, HTTP responses and durable clients', () => {
    const app = [
      reg('Start', {
        t: { type: 'httpTrigger', direction: 'in' },
        c: { type: 'durableClient', direction: 'in' },
        $return: { type: 'http', direction: 'out' },
      }),
    ];
    expect(unmodelledWarnings(app, config)).to.deep.equal([]);
    const blob = [
      reg('Copy', { t: { type: 'activityTrigger', direction: 'in' }, b: { type: 'blob', direction: 'out' } }),
    ];
    expect(unmodelledWarnings(blob, config)[0]).to.include('Copy (blob out)');
  });
});
