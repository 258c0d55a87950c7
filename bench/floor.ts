/**
 * The floor: the raw rate of each kind of request the workflows made, as plain SDK calls against the
 * same servers in the same run, then the workflows/s those servers could carry for the measured mix.
 */
import { CosmosClient, type Container } from '@azure/cosmos';
import { TableClient } from '@azure/data-tables';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { cosmosHttpsAgent } from '../src/infrastructure/cosmos';
import type { LocalStack } from '../localdev/demo/localStack';
import type { Counts } from './httpCounter';

const CONCURRENCY = 8;
const SECONDS = 2;

export interface Floor {
  /** ops/s by the same kind names the HTTP counter uses. */
  opsPerSecond: Record<string, number>;
  /** Seconds of each server's raw capacity one workflow uses. */
  serverSecondsPerWorkflow: Record<string, number>;
  workflowsPerSecond: number;
  bottleneck: string;
}

/**
 * Reads go to the workflow's own containers as they stand after the run (the emulator's query cost
 * grows with the container, so a small scratch container would flatter it); writes go to scratch ones.
 */
export async function measureFloor(stack: LocalStack, perWorkflow: Counts, streamIds: string[]): Promise<Floor> {
  const cosmos = new CosmosClient({
    endpoint: stack.cosmos.endpoint,
    key: stack.cosmos.key,
    agent: cosmosHttpsAgent(stack.cosmos.endpoint),
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { container } = await cosmos
    .database('workflow')
    .containers.createIfNotExists({ id: 'benchFloor', partitionKey: { paths: ['/pk'] } });
  const table = TableClient.fromConnectionString(stack.azurite.connectionString, 'benchFloor', {
    allowInsecureConnection: true,
  });
  await table.createTable();
  const topic = new EventGridPublisherClient(
    stack.topic.endpoint,
    'CloudEvent',
    new AzureKeyCredential(stack.topic.key),
    { allowInsecureConnection: true },
  );
  await seed(container, table);
  const db = cosmos.database('workflow');
  const events = db.container('events');
  const requests = db.container('requests');
  const stream = (i: number): string => {
    const id = streamIds[i % streamIds.length];
    if (id === undefined) throw new Error('measureFloor needs at least one stream id to read');
    return id;
  };

  const ops: Record<string, (i: number) => Promise<unknown>> = {
    'cosmos create (write)': (i) => container.items.create({ id: `c${i}`, pk: `p${i % 50}`, v: i }),
    'cosmos batch (write)': (i) =>
      container.items.batch(
        [{ operationType: 'Create', resourceBody: { id: `b${i}`, pk: `p${i % 50}`, v: i } }],
        `p${i % 50}`,
      ),
    'cosmos query (read)': (i) =>
      events.items
        .query(
          {
            query: 'SELECT * FROM c WHERE c.aggregateId = @id AND c.version >= @from ORDER BY c.version ASC',
            parameters: [
              { name: '@id', value: stream(i) },
              { name: '@from', value: 1 },
            ],
          },
          { partitionKey: stream(i), maxItemCount: 100 },
        )
        .fetchNext(),
    'cosmos read (read)': (i) => requests.item(stream(i), stream(i)).read(),
    'cosmos replace (write)': (i) =>
      container.item(`s${i % 50}`, `p${i % 50}`).replace({ id: `s${i % 50}`, pk: `p${i % 50}`, v: i }),
    'tables upsert (write)': (i) => table.upsertEntity({ partitionKey: `p${i % 50}`, rowKey: `r${i}`, v: i }),
    'tables batch (write)': (i) =>
      table.submitTransaction([['upsert', { partitionKey: `p${i % 50}`, rowKey: `t${i}`, v: i }]]),
    'tables query (read)': (i) =>
      table
        .listEntities({ queryOptions: { filter: `PartitionKey eq 'p${i % 50}'` } })
        .byPage({ maxPageSize: 50 })
        .next(),
    'eventgrid POST': (i) =>
      topic.send([
        {
          id: `floor-${i}`,
          source: '/bench',
          type: 'workflow.request.completed.v1',
          subject: 'requests/x',
          time: new Date(),
          datacontenttype: 'application/json',
          data: { requestId: 'floor-x', outcome: 'Pass', completedAt: new Date().toISOString() },
        },
      ]),
  };
  const opsPerSecond: Record<string, number> = {};
  for (const [name, op] of Object.entries(ops)) opsPerSecond[name] = await rate(op);

  const serverSecondsPerWorkflow: Record<string, number> = {};
  for (const [kind, n] of Object.entries(perWorkflow)) {
    const [server = kind] = kind.split(' ');
    const r = opsPerSecond[floorKindFor(kind)];
    if (r === undefined) continue;
    serverSecondsPerWorkflow[server] = (serverSecondsPerWorkflow[server] ?? 0) + n / r;
  }
  const [bottleneck, seconds] = Object.entries(serverSecondsPerWorkflow).sort((a, b) => b[1] - a[1])[0] ?? [
    'none',
    NaN,
  ];
  return { opsPerSecond, serverSecondsPerWorkflow, workflowsPerSecond: 1 / seconds, bottleneck };
}

/** Which floor operation stands for a counted request kind (e.g. every table write but a batch is an upsert). */
function floorKindFor(kind: string): string {
  if (kind === 'cosmos query plan (read)') return 'cosmos query (read)';
  if (kind === 'cosmos upsert (write)') return 'cosmos create (write)';
  if (kind.startsWith('cosmos')) return kind;
  if (kind.startsWith('eventgrid')) return 'eventgrid POST';
  if (kind.startsWith('tables')) {
    if (kind.includes('query')) return 'tables query (read)';
    if (kind.includes('batch')) return 'tables batch (write)';
    return 'tables upsert (write)';
  }
  return kind;
}

async function seed(container: Container, table: TableClient): Promise<void> {
  await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      await container.items.upsert({ id: `s${i}`, pk: `p${i}`, v: 0 });
      await table.upsertEntity({ partitionKey: `p${i}`, rowKey: 'seed', v: 0 });
    }),
  );
}

async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  let n = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) await op(n++);
    }),
  );
  return n / SECONDS;
}
