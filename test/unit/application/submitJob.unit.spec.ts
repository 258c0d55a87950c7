import { expect } from 'chai';
import { readAll } from '../../../src/application/ports';
import { createWorkflowSteps } from '../../../src/application/steps/workflowSteps';
import {
  InMemoryEventStore,
  InMemoryExternalJobs,
  InMemoryIdempotencyStore,
  InMemoryIntakeRepository,
  InMemoryPublisher,
  InMemoryRequestProjection,
} from '../../support/inMemory';

/**
 * One external job per attempt (ARCHITECTURE.md, "One external job per attempt"): the submit step reads the
 * attempt's idempotency record before it calls the service. Over the in-memory adapters; the same case
 * against Cosmos and the mock service over HTTP is in test/integration/steps/workflowSteps.int.spec.ts.
 */
describe("submitJob creates the attempt's external job once", () => {
  const now = '2026-01-01T00:00:00.000Z';
  const submission = { requestId: 'r-1', attempt: 1, payload: { scenario: 'pass' } };
  const input = { requestId: 'r-1', expectedVersion: 2, now, correlationId: 'r-1', attempt: 1, submission };
  let clock: number;
  let service: InMemoryExternalJobs;
  let idempotency: InMemoryIdempotencyStore;
  let steps: ReturnType<typeof createWorkflowSteps>;
  let events: InMemoryEventStore;

  beforeEach(async () => {
    clock = Date.parse(now);
    events = new InMemoryEventStore();
    service = new InMemoryExternalJobs();
    idempotency = new InMemoryIdempotencyStore({ ttlSeconds: 3600, now: () => new Date(clock) });
    steps = createWorkflowSteps({
      eventStore: events,
      projection: new InMemoryRequestProjection({ events }),
      publisher: new InMemoryPublisher(),
      intake: new InMemoryIntakeRepository(),
      externalJobs: service,
      idempotency,
    });
    await steps.admitRequest({
      requestId: 'r-1',
      expectedVersion: 0,
      now,
      correlationId: 'r-1',
      intake: { partitionKey: 'p', rowKey: 'r-1' },
      payload: { scenario: 'pass' },
    });
    await steps.prepareSubmission({ requestId: 'r-1', expectedVersion: 1, now, correlationId: 'r-1', attempt: 1 });
  });

  it('creates the job, records it under (request, attempt) and stores JobSubmitted', async () => {
    const r = await steps.submitJob(input);
    if (!r.ok) throw new Error(r.error);
    expect(service.book.all().map((j) => j.id)).to.deep.equal([r.externalJobId]);
    expect((await idempotency.lookup('job:r-1:1'))?.value).to.deep.equal({ externalJobId: r.externalJobId });
    expect((await readAll(events, 'r-1')).at(-1)).to.deep.include({ type: 'JobSubmitted', version: 3 });
  });

  it('reuses a recorded job without calling the service, even when the service forgot the key', async () => {
    const earlier = await service.create(submission, 'r-1:1');
    await idempotency.record('job:r-1:1', { externalJobId: earlier.id });
    service.book.forgetIdempotencyKeys();
    const r = await steps.submitJob(input);
    expect(r).to.include({ ok: true, externalJobId: earlier.id });
    expect(service.book.all()).to.have.length(1);
  });

  it("once the record has expired, the service's Idempotency-Key is what finds the job; once JobSubmitted is stored, the stream is", async () => {
    const earlier = await service.create(submission, 'r-1:1');
    await idempotency.record('job:r-1:1', { externalJobId: earlier.id });
    clock += 3601_000;
    expect(await idempotency.lookup('job:r-1:1')).to.equal(undefined);
    expect(await steps.submitJob(input)).to.include({ ok: true, externalJobId: earlier.id });
    service.book.forgetIdempotencyKeys();
    expect(await steps.submitJob(input)).to.include({ ok: true, externalJobId: earlier.id });
    expect(service.book.all()).to.have.length(1);
  });
});
