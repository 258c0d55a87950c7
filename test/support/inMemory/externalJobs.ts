/**
 * The external job service in memory: the mock service's own job book (mock/jobBook.ts, idempotent by key,
 * same scenarios) behind the ExternalJobs port, without HTTP. `book` lets a test look at or forget keys.
 */
import type { ExternalJob, ExternalJobs } from '../../../src/application/ports';
import type { Submission } from '../../../src/domain/events';
import { JobBook } from '../../../mock/jobBook';

export class InMemoryExternalJobs implements ExternalJobs {
  readonly book = new JobBook({ pollsPerStep: 1 });

  async create(submission: Submission, idempotencyKey: string): Promise<ExternalJob> {
    return job(this.book.create(submission, idempotencyKey).job);
  }

  async get(jobId: string): Promise<ExternalJob> {
    return job(this.book.poll(jobId));
  }

  async cancel(jobId: string): Promise<ExternalJob> {
    return job(this.book.cancel(jobId));
  }
}

const job = (j: { id: string; status: ExternalJob['status'] }): ExternalJob => ({ id: j.id, status: j.status });
