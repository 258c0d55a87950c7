/**
 * Runs the mock external service as its own process.
 *   tsx mock/cli.ts [--port 0] [--host 127.0.0.1] (--auth off | --issuer URL --audience AUD --jwks-url URL)
 *                   [--polls-per-step N | --ms-per-step N] [--error-rate 0.1] [--seed 1] [--latency-ms 0]
 * Prints one JSON line `{ "url": ... }` when listening; stops on SIGINT/SIGTERM.
 */
import { startMockService, type AuthOptions, type MockServiceOptions } from './index';

function parse(argv: string[]): MockServiceOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!;
    if (!name.startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`expected --flag value pairs, got '${name}'`);
    flags.set(name.slice(2), argv[i + 1]!);
  }
  const num = (name: string): number | undefined => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
    return n;
  };
  let auth: AuthOptions;
  if (flags.get('auth') === 'off') auth = 'off';
  else {
    const [issuer, audience, jwksUrl] = [flags.get('issuer'), flags.get('audience'), flags.get('jwks-url')];
    if (!issuer || !audience || !jwksUrl)
      throw new Error('give --auth off, or all of --issuer, --audience and --jwks-url');
    auth = { issuer, audience, jwksUrl };
  }
  const msPerStep = num('ms-per-step');
  return {
    port: num('port') ?? 0,
    host: flags.get('host') ?? '127.0.0.1',
    auth,
    progression: msPerStep !== undefined ? { msPerStep } : { pollsPerStep: num('polls-per-step') ?? 1 },
    faults: { errorRate: num('error-rate'), seed: num('seed'), latencyMs: num('latency-ms') },
  };
}

async function main(): Promise<void> {
  const service = await startMockService(parse(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);
  const shutdown = (): void => void service.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`mock service: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
