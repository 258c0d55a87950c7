/**
 * `npm run stack`: only the local servers the function app talks to (Azurite, the Cosmos emulator,
 * the local Event Grid topic validating against schemas/, the mock external service), for running the
 * app with Azure Functions Core Tools instead of the devhost. Writes a local.settings.json whose
 * connection settings point at them, prints what to run next (`func start`) and serves until Ctrl+C.
 *
 *   npm run stack [-- --settings-file PATH]
 *
 * Every run starts fresh (Azurite and the Cosmos emulator in memory), so a task hub is never resumed
 * against an event store that lost its data; ports are free ones, hence the file is rewritten each run.
 * Settings already in the file that are not connection settings (timings, names) are kept.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_TIMINGS, localSettings, startLocalStack, type LocalStack } from './demo/localStack';
import { appRoot } from './appRoot';

interface SettingsFile {
  IsEncrypted: boolean;
  Values: Record<string, string>;
}

function parse(argv: string[], root: string): { settingsFile: string } {
  let settingsFile = join(root, 'local.settings.json');
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, path] = [argv[i], argv[i + 1]];
    if (flag !== '--settings-file') throw new Error(`unknown argument '${flag}' (use --settings-file PATH)`);
    if (!path) throw new Error('--settings-file needs a path');
    settingsFile = resolve(path);
  }
  return { settingsFile };
}

function readValues(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SettingsFile>;
  return parsed.Values ?? {};
}

/**
 * The example's settings, then whatever the file already holds, then the running servers' endpoints
 * and keys. Demo timings are `npm start`'s business: `func start` keeps the example's timings.
 */
export function stackSettingsFile(
  stack: LocalStack,
  example: Record<string, string>,
  existing: Record<string, string>,
): SettingsFile {
  const wired = Object.fromEntries(Object.entries(localSettings(stack)).filter(([name]) => !(name in DEMO_TIMINGS)));
  const values: Record<string, string> = { ...example, ...existing, ...wired };
  // The stack's table connection string names the Azurite endpoint; an Azure endpoint beside it would be ambiguous.
  delete values.INTAKE_TABLE_ENDPOINT;
  return { IsEncrypted: false, Values: values };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const root = appRoot();
  const { settingsFile } = parse(argv, root);
  console.log('Starting the local servers (Azurite, Cosmos emulator, Event Grid topic, mock service)...');
  const stack = await startLocalStack();
  try {
    const file = stackSettingsFile(
      stack,
      readValues(join(root, 'local.settings.json.example')),
      readValues(settingsFile),
    );
    writeFileSync(settingsFile, `${JSON.stringify(file, null, 2)}\n`);
    console.log(
      [
        '',
        `Azurite:           ${stack.azurite.tableUrl} (tables), ${stack.azurite.queueUrl} (queues), ${stack.azurite.blobUrl} (blobs)`,
        `Cosmos emulator:   ${stack.cosmos.endpoint}`,
        `Event Grid topic:  ${stack.topic.endpoint} (key ${stack.topic.key})`,
        `Mock service:      ${stack.mock.url}`,
        `Wrote ${settingsFile}: AzureWebJobsStorage, COSMOS_*, INTAKE_TABLE_*, EVENTGRID_TOPIC_*, EXTERNAL_SERVICE_URL point at these.`,
        '',
        'Next, in another terminal at the repository root:',
        '  npm run build && func start',
        '',
        'The servers keep their data in memory until Ctrl+C here.',
      ].join('\n'),
    );
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    return 0;
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`npm run stack failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
