/** Child process of bench/child.ts: one end-to-end run, its result printed as one JSON line. */
import path from 'node:path';
import { endToEnd, type EndToEndOptions } from './endToEnd';
import { installHttpCounter } from './httpCounter';

const { items, ...opts } = JSON.parse(process.argv[2] ?? '{}') as EndToEndOptions & { items: number };
const keepAlive = setInterval(() => undefined, 1000);
endToEnd(items, installHttpCounter(), path.join(__dirname, '..'), opts).then((result) => {
  clearInterval(keepAlive);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}, (e: unknown) => {
  console.error(e);
  process.exit(1);
});
