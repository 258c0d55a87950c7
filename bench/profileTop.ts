/**
 * `tsx bench/profileTop.ts <file.cpuprofile> [N]`: the top N frames of a `node --cpu-prof` profile by
 * self time, and by package/folder, so a profile of the bench run can be read without DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topFrames(
  profile: Profile,
  n: number,
): { frames: [string, number][]; areas: [string, number][]; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const where = f.url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
    const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    areas.set(areaOf(where, f.functionName), (areas.get(areaOf(where, f.functionName)) ?? 0) + us);
  });
  const top = (m: Map<string, number>): [string, number][] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, Math.round(v / 1000)]);
  return { frames: top(self), areas: top(areas), totalMs: Math.round(total / 1000) };
}

function areaOf(where: string, fn: string): string {
  if (!where) return fn.startsWith('(') ? fn : '(native)';
  const [, pkg] = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where) ?? [];
  if (pkg !== undefined) return pkg;
  if (where.startsWith('node:')) return where.split('/').slice(0, 1).join('/');
  return where.split('/').slice(0, 2).join('/');
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profileTop.ts <file.cpuprofile> [N]');
  const r = topFrames(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(n ?? 25));
  console.log(`total sampled ${r.totalMs} ms\n\nby area (self ms):`);
  for (const [k, v] of r.areas) console.log(`  ${String(v).padStart(7)}  ${k}`);
  console.log('\nby frame (self ms):');
  for (const [k, v] of r.frames) console.log(`  ${String(v).padStart(7)}  ${k}`);
}
