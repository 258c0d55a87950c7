/**
 * CLI for replay: asks the app to publish stored events again (POST /api/events/replay).
 *
 *   npm run replay -- --request <id> | --from <ISO time> --to <ISO time>  [--url http://localhost:7071] [--key <function key>]
 *
 * The key defaults to $WORKFLOW_API_KEY. Prints the app's report; exits 1 when anything failed.
 */
function parse(argv: string[]): { url: string; key?: string; body: Record<string, string> } {
  const o: { url: string; key?: string; body: Record<string, string> } = {
    url: 'http://localhost:7071',
    key: process.env.WORKFLOW_API_KEY,
    body: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${argv[i]} needs a value`);
    switch (argv[i++]) {
      case '--request':
        o.body.requestId = v;
        break;
      case '--from':
        o.body.from = v;
        break;
      case '--to':
        o.body.to = v;
        break;
      case '--url':
        o.url = v;
        break;
      case '--key':
        o.key = v;
        break;
      default:
        throw new Error(`unknown argument '${argv[i - 1]}' (use --request ID | --from T --to T, --url, --key)`);
    }
  }
  if (!o.body.requestId && !(o.body.from && o.body.to))
    throw new Error('give --request <id>, or --from <time> and --to <time>');
  return o;
}

async function main(): Promise<number> {
  const o = parse(process.argv.slice(2));
  const res = await fetch(new URL('/api/events/replay', o.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(o.key ? { 'x-functions-key': o.key } : {}) },
    body: JSON.stringify(o.body),
  });
  console.log(`${res.status} ${JSON.stringify(await res.json().catch(() => null), null, 2)}`);
  return res.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`replay: ${(e as Error).message}`);
    process.exit(2);
  },
);
