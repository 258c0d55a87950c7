/**
 * `npm start`: the whole system on loopback, nothing to install. Starts Azurite, the Cosmos
 * emulator, a local Event Grid topic and the mock external service; loads the function app
 * unchanged into the devhost; seeds demo work items covering every scenario; shows progress.
 *
 *   npm start [-- --items N] [--port N] [--exit-when-done] [--timeout-seconds N] [--storage memory|azurite] [--subscriptions FILE] [--verbose]
 *
 * The topic delivers to the subscriptions of eventgrid/subscriptions.json (or FILE); the subscriber
 * app runs in a second devhost process.
 *
 * The console shows a live progress view (counts by stage, items/s, last errors, the dashboard URL);
 * the host's per-invocation lines and the app's JSON log lines go to .devhost/logs/ (or, with
 * --verbose, to the console as before).
 *
 * The Cosmos emulator keeps its data in memory, so every run starts the whole stack fresh
 * (Azurite in memory; the task hub lives in that Azurite, or in process memory with
 * `--storage memory`): a task hub is never resumed against an event store that lost its data.
 */
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { getServices } from '../src/infrastructure/services';
import { cancelWhenPolling, demoItems, progress, seed, selfCheck, sleep } from './demo/demoRun';
import { localSettings, startLocalStack, subscriptionsFilePath } from './demo/localStack';
import { engineTaskHub, setFunctionLogSink, startDevHost, type ProcessHost } from '@saga/devhost';
import { readSubscriptionsFile } from '@saga/devhost/localstack';
import { checkSubscriber, formatDeliveryFigures, waitForDeliveries } from './demo/subscriberCheck';
import { startSubscriberHost } from './demo/subscriberHost';
import { appRoot } from './appRoot';
import { createProgressView, openLogFile } from './demo/progressView';

interface StartOptions {
  items: number;
  port: number;
  exitWhenDone: boolean;
  timeoutSeconds: number;
  storage: 'azurite' | 'memory';
  subscriptions: string;
  verbose: boolean;
}

function parse(argv: string[]): StartOptions {
  const o: StartOptions = {
    items: 10,
    port: 7071,
    exitWhenDone: false,
    timeoutSeconds: 300,
    storage: 'azurite',
    subscriptions: subscriptionsFilePath(),
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (name: string): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${name} needs a whole number, got '${argv[i]}'`);
      return v;
    };
    if (a === '--items') o.items = num(a);
    else if (a === '--port') o.port = num(a);
    else if (a === '--timeout-seconds') o.timeoutSeconds = num(a);
    else if (a === '--exit-when-done') o.exitWhenDone = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--storage') o.storage = argv[++i] === 'memory' ? 'memory' : 'azurite';
    else if (a === '--subscriptions') o.subscriptions = argv[++i] ?? '';
    else
      throw new Error(
        `unknown argument '${a}' (use --items N, --port N, --exit-when-done, --timeout-seconds N, --storage azurite|memory, --subscriptions FILE, --verbose)`,
      );
  }
  return o;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const options = parse(argv);
  let subscriptions: ReturnType<typeof readSubscriptionsFile>;
  try {
    subscriptions = readSubscriptionsFile(options.subscriptions);
  } catch (e) {
    console.error(`npm start failed: ${(e as Error).message}`);
    return 1;
  }
  console.log('Starting the local stack (Azurite, Cosmos emulator, Event Grid topic, mock service)...');
  const stack = await startLocalStack({ subscriptions });
  const settings = localSettings(stack);
  Object.assign(process.env, settings);
  let host: Awaited<ReturnType<typeof startDevHost>> | undefined;
  let subscriber: ProcessHost | undefined;
  const shutdown = async (): Promise<void> => {
    await host?.stop().catch(() => undefined);
    await subscriber?.stop().catch(() => undefined);
    await stack.stop();
  };
  const logFile = options.verbose
    ? undefined
    : openLogFile(join(appRoot(), '.devhost', 'logs', `start-${new Date().toISOString().replace(/[:.]/g, '-')}.log`));
  setFunctionLogSink(logFile?.functionLog);
  try {
    host = await startDevHost({
      appDir: appRoot(),
      port: options.port,
      log: logFile?.hostLog,
      taskHub: engineTaskHub(
        options.storage === 'memory'
          ? { kind: 'memory' }
          : { kind: 'connectionString', connectionString: stack.azurite.connectionString },
      ),
    });
    console.log(host.listing);
    console.log(`\nRequest API:       ${host.url}/api/requests`);
    console.log(`Durable HTTP API:  ${host.durableApiUrl}instances`);
    console.log(`Event Grid topic:  ${stack.topic.endpoint} (local)   Mock service: ${stack.mock.url}`);
    subscriber = await startSubscriberHost(stack, {
      workflowUrl: host.url,
      workflowKey: host.masterKey,
      otlpUrl: host.otlpUrl,
    });
    console.log(
      `Subscriber app:    ${subscriber.url}/api/readmodel/daily   Delivery figures: ${new URL('/metrics/subscriptions', stack.topic.endpoint).href}`,
    );

    // The app runs in this process: share its services (a second build would race its timer's build
    // creating the same Cosmos database and containers, which the emulator answers with 409 'conflict').
    const services = await getServices();
    const table = TableClient.fromConnectionString(stack.azurite.connectionString, settings.INTAKE_TABLE_NAME, {
      allowInsecureConnection: true,
    });
    const items = demoItems(options.items);
    await seed(items, host.url, table, host.masterKey);
    console.log(`\nSeeded ${items.length} work items (every scenario, one to cancel, one malformed row).`);
    const cancelling = cancelWhenPolling(items, host.url, host.masterKey);

    const deadline = Date.now() + options.timeoutSeconds * 1000;
    const dashboardUrl = `${host.url}/api/dashboard`;
    console.log(`Dashboard:         ${dashboardUrl}${logFile ? `\nHost log:          ${logFile.path}` : ''}\n`);
    // Redraw only on a terminal; CI and --verbose get periodic lines.
    const view = createProgressView({
      tty: Boolean(process.stdout.isTTY) && !options.verbose,
      dashboardUrl,
      logPath: logFile?.path,
    });
    for (;;) {
      const p = await progress(items, services, table);
      view.update(p, logFile?.lastErrors() ?? []);
      if (p.terminal === p.total) break;
      if (Date.now() > deadline) {
        if (options.exitWhenDone) throw new Error(`not every item finished within ${options.timeoutSeconds} s`);
        break;
      }
      await sleep(1000);
    }
    await cancelling;
    if (!options.exitWhenDone) {
      console.log(
        '\nDemo finished. The system keeps running; add items with POST /api/requests. Press Ctrl+C to stop.',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return 0;
    }
    const check = await selfCheck(items, services, table, stack.topic, host.url);
    console.log(
      `\nSelf-check: ${check.streams} streams, ${check.events} events, ${stack.topic.events().length} deliveries to the topic.`,
    );
    if (!(await waitForDeliveries(stack.topic.delivery, 60_000)))
      check.problems.push('the topic still had events to deliver to its subscriptions after 60 s');
    const streams = items.filter((i) => i.expected !== 'Quarantined').map((i) => i.id);
    const seen = await checkSubscriber(streams, services, subscriber.url, subscriber.masterKey);
    check.problems.push(...seen.problems);
    check.ok = check.problems.length === 0;
    console.log(
      `Delivery figures (Event Grid subscriptions):\n${formatDeliveryFigures(stack.topic.delivery?.metrics() ?? [])}`,
    );
    if (!check.ok) {
      console.error(`FAILED (${check.problems.length} problems):\n  ` + check.problems.join('\n  '));
      return 1;
    }
    console.log(
      'OK: every stream holds exactly its expected events, the topic received every stored event, intake rows and projection agree.',
    );
    console.log(
      `OK: the subscriber applied every stored event exactly once (${seen.events} events in its inbox and read model).`,
    );
    return 0;
  } catch (e) {
    console.error(`npm start failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await shutdown();
    setFunctionLogSink(undefined);
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
