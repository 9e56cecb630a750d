// `npm run bench` (node dist/bench/run.js): Tandem and redis-server side by side, in the same
// run on the same machine, reported as a markdown document (stdout, and --out FILE).
// Options: see bench/options.ts (--quick, --only set,get, --sections, --against redis …).
//
// A new measurement is a Section (bench/section.ts) added to SECTIONS; per-family throughput
// (hset, sadd, zadd, lpush, lpop, lrange_100) is the `collections` section, or `--only hset,sadd`.
import { writeFileSync } from 'node:fs';
import { commandAvailable, redisAvailable, tandemBuilt, tandemEntry } from '../test/helpers/server-process.js';
import { describeMachine, machineMarkdown } from './machine.js';
import { collectionMemorySection, memorySection } from './memory.js';
import { parseOptions } from './options.js';
import { replicationSection } from './replication.js';
import { type Section, benchContext } from './section.js';
import { collectionsThroughputSection, throughputSection } from './throughput.js';
import { persistenceSection } from './persistence.js';

const SECTIONS: readonly Section[] = [
  throughputSection,
  memorySection,
  collectionsThroughputSection,
  collectionMemorySection,
  replicationSection,
  persistenceSection,
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!redisAvailable() || !commandAvailable('redis-benchmark')) {
    throw new Error('redis-server and redis-benchmark are needed (Debian: apt-get install redis-server redis-tools)');
  }
  if (options.against === 'tandem' && !tandemBuilt()) {
    throw new Error(`Tandem is not built (${tandemEntry} missing): run npx tsc -p . first`);
  }
  const unknown = (options.sections ?? []).filter((s) => !SECTIONS.some((x) => x.id === s));
  if (unknown.length) throw new Error(`unknown sections: ${unknown.join(', ')} (known: ${SECTIONS.map((s) => s.id).join(', ')})`);
  const sections = SECTIONS.filter((s) => options.sections === undefined || options.sections.includes(s.id));

  const ctx = benchContext(options);
  const parts: string[] = [];
  const emit = (text: string): void => {
    parts.push(text);
    process.stdout.write(text + '\n\n');
  };
  emit(`## Results${options.quick ? ' (--quick smoke run: small N, not for quoting)' : ''}`);
  emit(machineMarkdown(describeMachine()));
  if (options.against === 'redis') emit('**Check run:** the Tandem column is a second redis-server (`--against redis`); ratios should be near 1.00x.');
  for (const s of sections) {
    ctx.progress(`section ${s.id}`);
    emit(`### ${s.title}\n\n${await s.run(ctx)}`);
  }
  if (options.out) writeFileSync(options.out, parts.join('\n\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
