#!/usr/bin/env node
/**
 * The `tandem` command: `tandem server` runs a data node (one database instance); `tandem node`
 * runs a cluster node (REST API, supervised databases, CRDB coordinator); `tandem demo` is what
 * `npm start` runs: three local cluster nodes and one Active-Active database across them.
 */
import { Command, Option } from 'commander';
import { runServer } from './server-main.js';
import { runNode } from '../cluster/node-main.js';
import { runDemo } from '../cluster/demo.js';
import { TANDEM_VERSION } from '../server/info.js';

const program = new Command();
program.name('tandem').description('Tandem: Active-Active Redis-protocol databases converging through CRDTs').version(TANDEM_VERSION);

const collect = (v: string, prev: string[] = []) => [...prev, v];

program
  .command('server')
  .description('run one data node (one instance of a database)')
  .option('--port <port>', 'TCP port to listen on (0 picks a free one)', undefined)
  .option('--bind <address>', 'address to listen on', undefined)
  .option('--dir <dir>', 'working directory for data files', undefined)
  .option('--requirepass <password>', 'password clients must AUTH with', undefined)
  .option('--instance-id <n>', 'instance id of this copy of the database (1..1023, default 1)', undefined)
  .option('--crdb-guid <guid>', 'GUID of the Active-Active database this instance belongs to', undefined)
  .option('--peer <id@host:port>', 'another instance of the database to replicate with (repeatable)', collect, [])
  .option('--maxmemory <bytes>', 'memory limit (e.g. 100mb); writes get OOM errors beyond it', undefined)
  .addOption(new Option('--persistence <mode>', 'on-disk persistence: effect log, periodic snapshots, or none').choices(['aof', 'snapshot', 'disabled']))
  .addOption(new Option('--appendfsync <policy>', 'when the effect log is fsynced (with --persistence aof)').choices(['always', 'everysec', 'no']))
  .option('--repair', 'start even if the effect log is damaged in the middle: cut it there (the rest comes back from the peers)')
  .option('--config <file>', 'config file in redis.conf syntax (flags override it)', undefined)
  .option('--set <name=value>', 'any other parameter CONFIG GET lists (repeatable)', collect, [])
  .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
  .action(async (opts) => {
    await runServer(opts);
  });

program
  .command('node')
  .description('run a cluster node: the REST API (HTTPS on 9443), its databases, the CRDB coordinator')
  .requiredOption('--dir <dir>', 'directory of this node: cluster.json, tls/, bdbs/<uid>/')
  .option('--port <port>', 'REST API port (0 picks a free one)', '9443')
  .option('--bind <address>', 'address the REST API listens on', '0.0.0.0')
  .option('--name <fqdn>', 'cluster name (FQDN), fixed at first start (default: the host name)')
  .option('--username <user>', 'admin user (HTTP Basic)', process.env.TANDEM_USERNAME ?? 'admin@tandem.local')
  .option('--password <password>', 'admin password (or TANDEM_PASSWORD; generated into <dir>/admin-password at first start if neither)')
  .option('--insecure-http', 'serve plain HTTP instead of HTTPS (local use only)')
  .option('--tls-cert <file>', 'PEM certificate for HTTPS (default: self-signed, made at first start in <dir>/tls/)')
  .option('--tls-key <file>', 'PEM private key for --tls-cert')
  .option('--db-ports <first-last>', 'port range for databases', '12000-12999')
  .option('--db-bind <address>', 'address the databases listen on', '127.0.0.1')
  .option('--advertise-address <host>', 'address clients and other clusters reach the databases at', '127.0.0.1')
  .option('--peer-ca <file>', 'PEM certificates to trust when calling other clusters over HTTPS')
  .option('--peer-tls-insecure', 'accept any certificate when calling other clusters (self-signed test setups)')
  .option('--shards-limit <n>', 'license shard quota (default 100 at first start)')
  .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
  .action(async (opts) => {
    await runNode(opts);
  });

program
  .command('demo')
  .description('what `npm start` runs: three local cluster nodes and one Active-Active database across them')
  .option('--dir <dir>', 'directory for all the demo data (emptied at start)', '.tandem-demo')
  .option('--db-port <port>', 'database port of cluster 1 (cluster 2 and 3 use +10 and +20)', '12000')
  .action(async (opts: { dir: string; dbPort: string }) => {
    await runDemo(opts);
  });

program
  .command('operator')
  .description('run the Kubernetes operator (REC, REDB, RERC, REAADB controllers) and its admission webhook')
  .option('--namespace <ns>', 'namespace to manage (repeatable; default: WATCH_NAMESPACE or the kubeconfig namespace)', collect, [])
  .option('--kubeconfig <file>', 'kubeconfig file (default: in-cluster or ~/.kube/config)')
  .option('--webhook-port <port>', 'HTTPS port of the admission webhook', '8443')
  .option('--webhook-cert <file>', 'PEM certificate of the webhook (default: self-signed for the admission Service)')
  .option('--webhook-key <file>', 'PEM key of the webhook')
  .option('--no-webhook', 'do not serve the admission webhook')
  .option('--no-leader-elect', 'run controllers without Lease leader election')
  .option('--health-port <port>', 'HTTP port of /liveness', '8080')
  .option('--cluster-tls-insecure', 'accept self-signed certificates of cluster REST APIs')
  .option('--cluster-ca <file>', 'PEM CA of cluster REST APIs')
  .option('--image <image>', 'image of node pods', process.env.TANDEM_IMAGE)
  .action(async (opts) => {
    const { runOperator } = await import('../operator/main.js');
    await runOperator(opts);
  });

program
  .command('start')
  .description('start a single data node on port 6379 (`npm start` runs `tandem demo`)')
  .option('--port <port>', 'TCP port', '6379')
  .action(async (opts: { port: string }) => {
    const server = await runServer({ port: opts.port, bind: '127.0.0.1' });
    process.stdout.write(
      `\nTandem data node running on 127.0.0.1:${server.port} (a single instance; tandem demo runs three clusters with an Active-Active database).\n` +
        `Connect with:  redis-cli -p ${server.port}\nStop with Ctrl-C.\n\n`,
    );
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`tandem: ${(e as Error).message}\n`);
  process.exit(1);
});
