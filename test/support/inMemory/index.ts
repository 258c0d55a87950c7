export { InMemoryEventStore } from './eventStore';
export { InMemoryIdempotencyStore } from './idempotencyStore';
export { InMemoryIntakeRepository } from './intakeRepository';
