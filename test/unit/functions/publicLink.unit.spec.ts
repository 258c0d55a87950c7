import { expect } from 'chai';
import { publicLink } from '../../../src/functions/durableRuntime';

describe('management links handed out by GET /api/requests/{id}', () => {
  const base = 'https://app.azurewebsites.net/runtime/webhooks/durabletask/instances/r-1';

  it('drop the durable system key wherever it sits in the query', () => {
    expect(publicLink(`${base}?taskHub=Hub&connection=Storage&code=SYSTEMKEY==`)).to.equal(
      `${base}?taskHub=Hub&connection=Storage`,
    );
    expect(publicLink(`${base}/terminate?reason={text}&code=SYSTEMKEY&taskHub=Hub`)).to.equal(
      `${base}/terminate?reason={text}&taskHub=Hub`,
    );
    expect(publicLink(`${base}?code=SYSTEMKEY`)).to.equal(base);
  });

  it('keep placeholders and take the request origin', () => {
    expect(publicLink(`${base}/raiseEvent/{eventName}?taskHub=Hub&code=K`, 'http://localhost:7071')).to.equal(
      'http://localhost:7071/runtime/webhooks/durabletask/instances/r-1/raiseEvent/{eventName}?taskHub=Hub',
    );
  });
});
