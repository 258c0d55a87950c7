/** Child process of bench/child.ts: one end-to-end run, its result printed as one JSON line. */
import path from 'node:path';
import { childMain } from './child';
import { endToEnd, type EndToEndOptions } from './endToEnd';
import { installHttpCounter } from './httpCounter';

const { items, ...opts } = JSON.parse(process.argv[2] ?? '{}') as EndToEndOptions & { items: number };
childMain(() => endToEnd(items, installHttpCounter(), path.join(__dirname, '..'), opts));
