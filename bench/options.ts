// Command-line options of `npm run bench` (node dist/bench/run.js).

export type BenchTarget = 'tandem' | 'redis';

export interface BenchOptions {
  quick: boolean;
  /** redis-benchmark tests to run (lower case, as -t takes them). */
  tests: string[];
  /** Sections to run, by id (all when undefined). */
  sections: string[] | undefined;
  requests: number;
  clients: number;
  pipelines: number[];
  /** -r: random keys drawn from this many. */
  keyspace: number;
  /** -d: value size in bytes. */
  dataSize: number;
  /** Keys loaded for the memory section. */
  memoryKeys: number;
  /** What runs in the "Tandem" column: Tandem, or a second redis-server (to check the bench). */
  against: BenchTarget;
  /** Write the markdown report here too. */
  out: string | undefined;
  /** Extra arguments for `tandem server` (also from TANDEM_ARGS, split on spaces). */
  tandemArgs: string[];
  /** Parts of the replication section to run (all when undefined). */
  replicationParts: string[] | undefined;
}

export const DEFAULT_TESTS = ['set', 'get', 'incr', 'mset'];

export const USAGE = `usage: npm run bench -- [options]
  --quick               small runs (smoke test): 20k requests, 100k keys for memory
  --only set,get        redis-benchmark tests to run (default ${DEFAULT_TESTS.join(',')};
                        any -t name works: hset, sadd, zadd, lpush, lpop, lrange_100 …)
  --sections a,b        sections to run: throughput, memory, collections,
                        collections-memory, replication, persistence (default all)
  --replication a,b     parts of the replication section: throughput, lag, partition,
                        join (default all; --quick shrinks the lag run, partition and join)
  -n, --requests N      requests per test (default 300000; --quick 20000)
  -c, --clients N       parallel connections (default 50)
  --pipelines 1,16      pipeline depths (default 1,16)
  --keyspace N          random key space, redis-benchmark -r (default 100000)
  --data-size N         value size in bytes, redis-benchmark -d (default 16)
  --keys N              keys (memory, persistence restart) and members
                        (collections-memory) loaded
                        (default 1000000; --quick 100000)
  --against redis       put a second redis-server in the Tandem column (checks the bench)
                        (also BENCH_TARGET=redis)
  --out FILE            also write the markdown report to FILE
  environment: TANDEM_ARGS="--set x=y …" extra flags for tandem server`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = {
    quick,
    tests: DEFAULT_TESTS,
    sections: undefined,
    requests: quick ? 20_000 : 300_000,
    clients: 50,
    pipelines: [1, 16],
    keyspace: 100_000,
    dataSize: 16,
    memoryKeys: quick ? 100_000 : 1_000_000,
    against: env.BENCH_TARGET === 'redis' ? 'redis' : 'tandem',
    out: undefined,
    tandemArgs: (env.TANDEM_ARGS ?? '').split(' ').filter(Boolean),
    replicationParts: undefined,
  };
  const list = (v: string): string[] => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const num = (flag: string, v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new Error(`${flag} expects a positive integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} expects a value\n${USAGE}`);
      return v;
    };
    switch (a) {
      case '--quick':
        break;
      case '--only':
        o.tests = list(value());
        break;
      case '--sections':
        o.sections = list(value());
        break;
      case '--replication':
        o.replicationParts = list(value());
        break;
      case '-n':
      case '--requests':
        o.requests = num(a, value());
        break;
      case '-c':
      case '--clients':
        o.clients = num(a, value());
        break;
      case '--pipelines':
        o.pipelines = list(value()).map((p) => num(a, p));
        break;
      case '--keyspace':
        o.keyspace = num(a, value());
        break;
      case '--data-size':
        o.dataSize = num(a, value());
        break;
      case '--keys':
        o.memoryKeys = num(a, value());
        break;
      case '--against': {
        const v = value();
        if (v !== 'redis' && v !== 'tandem') throw new Error(`--against expects redis or tandem, got ${JSON.stringify(v)}`);
        o.against = v;
        break;
      }
      case '--out':
        o.out = value();
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return o;
}
