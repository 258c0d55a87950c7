import { expect } from 'chai';
import { mapCosmosError } from '../../../src/infrastructure/cosmos';
import { ConcurrencyError, NonRetriableError, TransientError } from '../../../src/application/errors';

/** Shapes as @azure/cosmos throws them: the HTTP status on `code`. */
function cosmosError(code: number): Error {
  return Object.assign(new Error(`status ${code}`), { code });
}

describe('mapCosmosError', () => {
  it('classifies throttling, timeouts and server errors as transient', () => {
    for (const status of [408, 429, 449, 500, 503]) {
      expect(mapCosmosError(cosmosError(status), 'read'), String(status)).to.be.instanceOf(TransientError);
    }
  });
  it('classifies other HTTP statuses as non-retriable', () => {
    for (const status of [400, 401, 403, 413]) {
      expect(mapCosmosError(cosmosError(status), 'read'), String(status)).to.be.instanceOf(NonRetriableError);
    }
  });
  it('classifies network failures as transient and leaves workflow errors and bugs alone', () => {
    expect(
      mapCosmosError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'read'),
    ).to.be.instanceOf(TransientError);
    const concurrency = new ConcurrencyError('taken');
    expect(mapCosmosError(concurrency, 'append')).to.equal(concurrency);
    const bug = new TypeError('x is undefined');
    expect(mapCosmosError(bug, 'append')).to.equal(bug);
  });
});
