import { expect } from 'chai';
import { startSampleHost, type SampleHost } from './sampleHost';

/**
 * Event Grid triggers at /runtime/webhooks/eventgrid?functionName=, as the Event Grid extension
 * serves them (EventGridExtensionConfigProvider.cs, HttpRequestProcessor.cs in
 * Azure/azure-sdk-for-net): 202 when every event ran, 500 when one failed, 404 for an unknown
 * function, the validation handshakes, and the host key when keys are on.
 */
describe('devhost Event Grid triggers', () => {
  let s: SampleHost;
  const key = 'eg-key';
  const received = (): { id: string; functionName: string }[] =>
    (globalThis as unknown as { hostSampleGridEvents: { id: string; functionName: string }[] }).hostSampleGridEvents;
  const url = (fn = 'GridEvents', code: string | undefined = key): string =>
    `${s.host.url}/runtime/webhooks/eventgrid?functionName=${fn}${code ? `&code=${code}` : ''}`;
  const event = (id: string, data: unknown = { n: 1 }): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: '/t',
    type: 't.v1',
    subject: 'requests/x',
    data,
  });
  const post = (
    body: unknown,
    headers: Record<string, string> = { 'aeg-event-type': 'Notification' },
    target = url(),
  ): Promise<Response> =>
    fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', ...headers },
      body: JSON.stringify(body),
    });

  before(async () => {
    s = await startSampleHost({ requireKeys: true, masterKey: key });
  });
  after(async () => {
    await s?.host.stop();
  });

  it('lists the trigger as supported', () => {
    expect(s.host.functions.find((f) => f.name === 'GridEvents')).to.include({
      triggerType: 'eventGridTrigger',
      supported: true,
    });
  });

  it('runs the function once per event, for one event or a batch, and answers 202', async () => {
    const before = received().length;
    expect((await post(event('e1'))).status).to.equal(202);
    expect((await post([event('e2'), event('e3')])).status).to.equal(202);
    expect(
      received()
        .slice(before)
        .map((e) => e.id),
    ).to.have.members(['e1', 'e2', 'e3']);
    expect(received()[before]!.functionName).to.equal('GridEvents');
  });

  it('answers 500 with the error when the function fails, so Event Grid redelivers', async () => {
    const res = await post(event('bad', { fail: true }));
    expect(res.status).to.equal(500);
    expect(await res.text()).to.contain('cannot handle bad');
  });

  it('answers the CloudEvents OPTIONS handshake and the Event Grid validation event', async () => {
    const options = await fetch(url(), {
      method: 'OPTIONS',
      headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' },
    });
    expect(options.status).to.equal(200);
    expect(options.headers.get('webhook-allowed-origin')).to.equal('eventgrid.azure.net');
    const validation = await post(
      [{ id: 'v', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'abc-123' } }],
      { 'aeg-event-type': 'SubscriptionValidation' },
    );
    expect(await validation.json()).to.deep.equal({ validationResponse: 'abc-123' });
  });

  it('refuses an unknown function (404), a missing event-type header (400) and a missing key (401)', async () => {
    const unknown = await post(event('u'), undefined, url('Nope'));
    expect(unknown.status).to.equal(404);
    expect(await unknown.text()).to.equal("cannot find function: 'Nope'");
    expect((await post(event('h'), {})).status).to.equal(400);
    expect((await post(event('k'), undefined, url('GridEvents', ''))).status).to.equal(401);
  });
});
