import { eventStoreContract } from '../../contract/eventStore.contract';
import { idempotencyStoreContract } from '../../contract/idempotencyStore.contract';
import { intakeRepositoryContract } from '../../contract/intakeRepository.contract';
import { requestProjectionContract } from '../../contract/requestProjection.contract';
import {
  InMemoryEventStore,
  InMemoryIdempotencyStore,
  InMemoryIntakeRepository,
  InMemoryRequestProjection,
} from '../../support/inMemory';

/** The in-memory adapters pass the same contract suites as the real ones (see test/integration). */
describe('in-memory adapters', () => {
  const store = new InMemoryEventStore();
  eventStoreContract(() => store);
  idempotencyStoreContract((options) => new InMemoryIdempotencyStore(options));
  intakeRepositoryContract(() => Promise.resolve(new InMemoryIntakeRepository()));
  requestProjectionContract(() => {
    const events = new InMemoryEventStore();
    return Promise.resolve({ events, projection: new InMemoryRequestProjection({ events }) });
  });
});
