import { TableClient } from '@azure/data-tables';
import { assert, expect, use } from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { readAll, type EventStore } from '../../../src/application/ports';
import { eventIdFor } from '../../../src/domain/ids';
import { loadConfig } from '../../../src/infrastructure/config/loadConfig';
import { createWorkflowSteps } from '../../../src/application/steps/workflowSteps';
import { buildServices, type Services } from '../../../src/infrastructure/services';
import { localSettings, startLocalStack, type LocalStack } from '../../../localdev/demo/localStack';

use(chaiAsPromised);

/**
 * Activities run at least once. Each workflow step, run again with the same input (a retried
 * activity, a host that died after the step but before Durable recorded it), must leave the same
 * events, the same external job and the same intake row — against the real local servers.
 */
describe('workflow steps are safe to run twice (real Cosmos, Azurite, topic, mock)', function () {
  this.timeout(60_000);
  let stack: LocalStack;
  let s: Services;
  let table: TableClient;
  const now = '2026-01-01T00:00:00.000Z';

  before(async () => {
    stack = await startLocalStack();
    const settings = localSettings(stack);
    s = await buildServices(loadConfig(settings));
    table = TableClient.fromConnectionString(stack.azurite.connectionString, settings.INTAKE_TABLE_NAME, {
      allowInsecureConnection: true,
    });
  });
  after(async () => stack?.stop());

  async function admitted(id: string, scenario = 'pass'): Promise<void> {
    const row = await s.intake.add({ partitionKey: 'it', rowKey: id }, { scenario });
    await s.intake.claim(row, { claimedAt: now, checkAt: now });
    const r = await s.steps.admitRequest({
      requestId: id,
      expectedVersion: 0,
      now,
      correlationId: id,
      intake: row.ref,
      payload: { scenario },
    });
    expect(r.ok).to.equal(true);
  }

  it('a repeated step appends nothing new, returns the same result and republishes the same CloudEvent ids', async () => {
    const id = 'twice-1';
    await admitted(id);
    const first = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 1,
      now,
      correlationId: id,
      attempt: 1,
    });
    const again = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 1,
      now,
      correlationId: id,
      attempt: 1,
    });
    expect(again).to.deep.equal(first);
    const stream = await readAll(s.eventStore, id);
    expect(stream.map((e) => e.type)).to.deep.equal(['RequestDiscovered', 'SubmissionPrepared']);
    expect(stream.map((e) => e.eventId)).to.deep.equal([eventIdFor(id, 1), eventIdFor(id, 2)]);
    const deliveries = stack.topic.eventsById().get(eventIdFor(id, 2)) ?? [];
    expect(deliveries.length, 'delivered at least once, always with the same id').to.be.at.least(1);
  });

  /** Admitted and prepared: the submit step's input for attempt 1. */
  async function readyToSubmit(id: string) {
    await admitted(id);
    const prepared = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 1,
      now,
      correlationId: id,
      attempt: 1,
    });
    if (!prepared.ok) throw new Error(prepared.error);
    return { requestId: id, expectedVersion: 2, now, correlationId: id, attempt: 1, submission: prepared.submission };
  }

  it('a repeated submit creates one external job (Idempotency-Key) and records it once', async () => {
    const id = 'twice-submit';
    const input = await readyToSubmit(id);
    const a = await s.steps.submitJob(input);
    const b = await s.steps.submitJob(input);
    if (!a.ok || !b.ok) throw new Error('submit failed');
    expect(b.externalJobId).to.equal(a.externalJobId);
    expect(stack.mock.jobs().filter((j) => j.requestId === id)).to.have.length(1);
    const stream = await readAll(s.eventStore, id);
    expect(stream.filter((e) => e.type === 'JobSubmitted')).to.have.length(1);
  });

  it('a submit retried after a crash between the create and the append reuses the recorded job, even once the service forgot the Idempotency-Key', async () => {
    const id = 'crash-after-create';
    const input = await readyToSubmit(id);
    // The first run dies after the service created the job, before JobSubmitted is stored.
    const dies = Object.assign(Object.create(s.eventStore) as EventStore, {
      appendToStream: () => Promise.reject(new Error('host died')),
    });
    const crashing = createWorkflowSteps({ ...s, eventStore: dies });
    await expect(crashing.submitJob(input)).to.be.rejectedWith(/host died/);
    const [created] = stack.mock.jobs().filter((j) => j.requestId === id);
    assert.exists(created, 'the first run created the job');
    expect((await readAll(s.eventStore, id)).map((e) => e.type)).to.deep.equal([
      'RequestDiscovered',
      'SubmissionPrepared',
    ]);

    stack.mock.forgetIdempotencyKeys();
    const retried = await s.steps.submitJob(input);
    expect(retried).to.include({ ok: true, externalJobId: created.id });
    expect(
      stack.mock.jobs().filter((j) => j.requestId === id),
      'one external job',
    ).to.have.length(1);
    const submittedEvents = (await readAll(s.eventStore, id)).filter((e) => e.type === 'JobSubmitted');
    expect(submittedEvents.map((e) => (e.data as { externalJobId: string }).externalJobId)).to.deep.equal([created.id]);
  });

  it('completing twice writes the intake row and the RequestCompleted event once', async () => {
    const id = 'twice-complete';
    await admitted(id, 'fail');
    const p = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 1,
      now,
      correlationId: id,
      attempt: 1,
    });
    if (!p.ok) throw new Error(p.error);
    await s.steps.submitJob({
      requestId: id,
      expectedVersion: 2,
      now,
      correlationId: id,
      attempt: 1,
      submission: p.submission,
    });
    const c = {
      requestId: id,
      expectedVersion: 3,
      now,
      correlationId: id,
      intake: { partitionKey: 'it', rowKey: id },
      outcome: 'Cancelled' as const,
      reason: 'test',
    };
    // Complete(Cancelled) needs the job cancelled first.
    const submitted = await readAll(s.eventStore, id);
    const [, , jobSubmitted] = submitted;
    assert.exists(jobSubmitted, 'the JobSubmitted event');
    const jobId = (jobSubmitted.data as { externalJobId: string }).externalJobId;
    await s.steps.cancelJob({
      requestId: id,
      expectedVersion: 3,
      now,
      correlationId: id,
      attempt: 1,
      externalJobId: jobId,
      reason: 'test',
    });
    const done1 = await s.steps.completeRequest({ ...c, expectedVersion: 4 });
    const done2 = await s.steps.completeRequest({ ...c, expectedVersion: 4 });
    expect(done1.ok && done2.ok).to.equal(true);
    const stream = await readAll(s.eventStore, id);
    expect(stream.map((e) => e.type)).to.deep.equal([
      'RequestDiscovered',
      'SubmissionPrepared',
      'JobSubmitted',
      'JobCancelled',
      'RequestCompleted',
    ]);
    const row = await table.getEntity<{ Status: string }>('it', id);
    expect(row.Status).to.equal('Cancelled');
    expect((await s.projection.get(id))?.outcome).to.equal('Cancelled');
  });

  it('a publish failure does not fail the step: the events are stored and reported, and publishEvents delivers them later', async () => {
    const id = 'publish-later';
    stack.topic.failFor(60_000, 503);
    try {
      const row = await s.intake.add({ partitionKey: 'it', rowKey: id }, { scenario: 'pass' });
      const r = await s.steps.admitRequest({
        requestId: id,
        expectedVersion: 0,
        now,
        correlationId: id,
        intake: row.ref,
        payload: { scenario: 'pass' },
      });
      expect(r).to.include({ ok: true, version: 1 });
      if (!r.ok) return;
      expect(r.unpublished).to.deep.equal([1]);
      await expect(s.steps.publishEvents({ requestId: id, versions: [1] })).to.be.rejectedWith(/not published yet/);
    } finally {
      stack.topic.failFor(0, 503);
    }
    expect(await s.steps.publishEvents({ requestId: id, versions: [1] })).to.deep.equal({ published: 1 });
    expect(stack.topic.eventsById().has(eventIdFor(id, 1))).to.equal(true);
  });

  it('a step whose expected version is ahead of the stream is refused as a concurrency problem, not retried', async () => {
    const id = 'ahead';
    await admitted(id);
    const r = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 7,
      now,
      correlationId: id,
      attempt: 1,
    });
    expect(r).to.include({ ok: false, code: 'Concurrency' });
  });
  // A host can die after a step's append and before its projection update: the view then lags the
  // stream, and the step's retry must adopt what the first run wrote, not write it again.
  async function submitted(id: string): Promise<{ jobId: string; version: number }> {
    await admitted(id);
    const p = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 1,
      now,
      correlationId: id,
      attempt: 1,
    });
    if (!p.ok) throw new Error(p.error);
    const sub = await s.steps.submitJob({
      requestId: id,
      expectedVersion: 2,
      now,
      correlationId: id,
      attempt: 1,
      submission: p.submission,
    });
    if (!sub.ok) throw new Error(sub.error);
    return { jobId: sub.externalJobId, version: sub.version };
  }

  async function appendAsAnEarlierRun(
    id: string,
    expectedVersion: number,
    event: Parameters<Services['eventStore']['appendToStream']>[1][number],
  ): Promise<void> {
    await s.eventStore.appendToStream(id, [event], {
      expectedVersion,
      occurredAt: now,
      metadata: { correlationId: id, causationId: 'earlier-run' },
    });
  }

  it('a retried step whose first run appended but never projected adopts those events once', async () => {
    const id = 'unprojected-prepare';
    await admitted(id);
    await appendAsAnEarlierRun(id, 1, {
      type: 'SubmissionPrepared',
      data: {
        requestId: id,
        attempt: 1,
        submission: { requestId: id, attempt: 1, payload: { scenario: 'pass' } },
        preparedAt: now,
      },
    });
    expect((await s.projection.get(id))?.version, 'the view lags the stream').to.equal(1);
    const r = await s.steps.prepareSubmission({
      requestId: id,
      expectedVersion: 1,
      now,
      correlationId: id,
      attempt: 1,
    });
    expect(r).to.include({ ok: true, version: 2 });
    expect((await readAll(s.eventStore, id)).map((e) => e.type)).to.deep.equal([
      'RequestDiscovered',
      'SubmissionPrepared',
    ]);
    expect((await s.projection.get(id))?.stage).to.equal('Prepared');
    expect(stack.topic.eventsById().has(eventIdFor(id, 2)), 'the adopted event is published').to.equal(true);
  });

  it('a retried poll keeps what its first run observed, whatever the job says now', async () => {
    const id = 'unprojected-poll';
    const { jobId, version } = await submitted(id);
    const earlier = {
      requestId: id,
      attempt: 1,
      externalJobId: jobId,
      previousStatus: 'Created',
      status: 'Running',
      observedAt: now,
    };
    await appendAsAnEarlierRun(id, version, { type: 'JobStatusChanged', data: earlier } as never);
    const r = await s.steps.pollJob({
      requestId: id,
      expectedVersion: version,
      now,
      correlationId: id,
      attempt: 1,
      externalJobId: jobId,
      lastStatus: 'Created',
      maxAttempts: 3,
    });
    expect(r).to.include({ ok: true, version: version + 1, status: 'Running' });
    const stream = await readAll(s.eventStore, id);
    expect(stream.slice(version).map((e) => [e.type, (e.data as { status?: string }).status])).to.deep.equal([
      ['JobStatusChanged', 'Running'],
    ]);
    expect((await s.projection.get(id))?.version).to.equal(version + 1);
  });
  it('admitting again a request that is further along tells the new instance where to resume', async () => {
    const id = 'readmit';
    const { jobId, version } = await submitted(id);
    const row = { partitionKey: 'it', rowKey: id };
    const again = await s.steps.admitRequest({
      requestId: id,
      expectedVersion: 0,
      now: '2026-01-01T01:00:00.000Z',
      correlationId: id,
      intake: row,
      payload: { scenario: 'pass' },
    });
    expect(again).to.deep.include({
      ok: true,
      version,
      admittedAt: now,
      resume: { at: 'poll', attempt: 1, externalJobId: jobId, lastStatus: 'Created' },
    });
    expect((await readAll(s.eventStore, id)).filter((e) => e.type === 'RequestDiscovered')).to.have.length(1);
  });
});
