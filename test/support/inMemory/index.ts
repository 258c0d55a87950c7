export { InMemoryEventStore } from './eventStore';
export { InMemoryIdempotencyStore } from './idempotencyStore';
export { InMemoryIntakeRepository } from './intakeRepository';
export { InMemoryPublisher } from './publisher';
export { InMemoryRequestProjection } from './requestProjection';
export { InMemoryExternalJobs } from './externalJobs';
