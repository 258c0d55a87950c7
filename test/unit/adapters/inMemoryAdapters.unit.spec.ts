import { eventStoreContract } from '../../contract/eventStore.contract';
import { idempotencyStoreContract } from '../../contract/idempotencyStore.contract';
import { intakeRepositoryContract } from '../../contract/intakeRepository.contract';
import { InMemoryEventStore, InMemoryIdempotencyStore, InMemoryIntakeRepository } from '../../support/inMemory';

/** The in-memory adapters pass the same contract suites as the real ones (see test/integration). */
describe('in-memory adapters', () => {
  const store = new InMemoryEventStore();
  eventStoreContract(() => store);
  idempotencyStoreContract((options) => new InMemoryIdempotencyStore(options));
  intakeRepositoryContract(() => Promise.resolve(new InMemoryIntakeRepository()));
});
