#!/usr/bin/env node
/**
 * `crdb-cli`: the reference's Active-Active management commands (k8s-control-plane.md §6) against
 * a Tandem cluster's REST API. docs/cli.md documents every command; in short:
 *
 *   crdb-cli crdb create|list|get|update|add-instance|remove-instance|purge-instance|flush|delete|health-report
 *   crdb-cli task list|status|cancel
 *
 * The cluster is found from --cluster-url (or TANDEM_CLUSTER_URL, default https://localhost:9443)
 * with --username/--password (or TANDEM_USERNAME/TANDEM_PASSWORD); a self-signed certificate is
 * trusted with --ca-file <node dir>/tls/cert.pem (TANDEM_CA_FILE) or --insecure (TANDEM_INSECURE=1).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ApiError, apiRequest } from '../cluster/http-client.js';
import type { ApiTarget } from '../cluster/http-client.js';
import { submitTask, taskErrors } from '../cluster/task-progress.js';
import type { TaskView } from '../cluster/task-progress.js';
import { parseMemory } from '../server/config.js';
import { TANDEM_VERSION } from '../server/info.js';
import { EVICTION_POLICIES } from '../cluster/types.js';

/** A usage or input error: printed as `ERROR: …`, exit code 1. */
class CliError extends Error {}

interface ConnFlags {
  clusterUrl?: string;
  username?: string;
  password?: string;
  adminPassword?: string;
  caFile?: string;
  insecure?: boolean;
}

function target(f: ConnFlags): ApiTarget {
  const env = process.env;
  const caFile = f.caFile ?? env.TANDEM_CA_FILE;
  return {
    url: f.clusterUrl ?? env.TANDEM_CLUSTER_URL ?? 'https://localhost:9443',
    username: f.username ?? env.TANDEM_USERNAME ?? 'admin@tandem.local',
    password: f.adminPassword ?? f.password ?? env.TANDEM_PASSWORD ?? '',
    ca: caFile === undefined ? undefined : readFileSync(caFile, 'utf8'),
    insecure: f.insecure === true || env.TANDEM_INSECURE === '1',
  };
}

/** The connection flags. On `crdb create`, `--password` is the database's password (reference),
 * so the admin password comes from `--admin-password` or TANDEM_PASSWORD there. */
function conn(cmd: Command, adminPasswordFlag = true): Command {
  cmd
    .option('--cluster-url <url>', 'REST API of the local cluster (env TANDEM_CLUSTER_URL; default https://localhost:9443)')
    .option('--username <user>', 'admin user of the local cluster (env TANDEM_USERNAME; default admin@tandem.local)');
  if (adminPasswordFlag) cmd.option('--password <password>', 'admin password of the local cluster (env TANDEM_PASSWORD)');
  return cmd
    .option('--admin-password <password>', 'admin password of the local cluster (env TANDEM_PASSWORD)')
    .option('--ca-file <pem>', "trust this certificate, e.g. the node's <dir>/tls/cert.pem (env TANDEM_CA_FILE)")
    .option('--insecure', 'accept any server certificate (env TANDEM_INSECURE=1)');
}

// ---- value parsing ----------------------------------------------------------------------------

/** `key=value,key=value` (the instance mini-language). */
export function parseKv(spec: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const i = part.indexOf('=');
    if (i <= 0) throw new CliError(`${what}: expected key=value pairs separated by commas, got '${part}'`);
    out.set(part.slice(0, i).trim(), part.slice(i + 1));
  }
  return out;
}

const INSTANCE_KEYS = new Set(['fqdn', 'url', 'username', 'password', 'client_cert', 'client_key', 'trusted_ca', 'replication_endpoint', 'replication_tls_sni', 'compression']);

/** `--instance fqdn=…,url=…,username=…,password=…[,replication_endpoint=…][,replication_tls_sni=…]`. */
export function parseInstance(spec: string, compression: number | undefined): Record<string, unknown> {
  const kv = parseKv(spec, '--instance');
  for (const k of kv.keys()) if (!INSTANCE_KEYS.has(k)) throw new CliError(`--instance: unknown key '${k}' (known: ${[...INSTANCE_KEYS].join(', ')})`);
  const fqdn = kv.get('fqdn');
  if (!fqdn) throw new CliError(`--instance: fqdn=<cluster fqdn> is required in '${spec}'`);
  const certs = kv.has('client_cert') || kv.has('client_key') || kv.has('trusted_ca');
  const password = kv.has('username') || kv.has('password');
  if (certs && password) throw new CliError('Use either username/password or client_cert/client_key/trusted_ca, not both');
  if (certs) throw new CliError('--instance: certificate authentication (client_cert/client_key) is not supported by Tandem clusters; use username=…,password=…');
  if (!kv.get('username') || !kv.has('password')) throw new CliError(`--instance: username=… and password=… are required for cluster '${fqdn}'`);
  const cluster: Record<string, unknown> = {
    name: fqdn,
    url: kv.get('url') ?? `https://${fqdn}:9443`,
    credentials: { username: kv.get('username'), password: kv.get('password') },
  };
  if (kv.has('replication_endpoint')) cluster.replication_endpoint = kv.get('replication_endpoint');
  if (kv.has('replication_tls_sni')) cluster.replication_tls_sni = kv.get('replication_tls_sni');
  const c = kv.has('compression') ? compressionArg(kv.get('compression')!) : compression;
  return { cluster, ...(c === undefined ? {} : { compression: c }) };
}

function bool(s: string, flag: string): boolean {
  const v = s.toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new CliError(`${flag} expects true or false, got '${s}'`);
}

function memoryArg(s: string): number {
  const n = parseMemory(s);
  if (n === null) throw new CliError(`--memory-size expects bytes or a size like 100MB or 1GB, got '${s}'`);
  return n;
}

function compressionArg(s: string): number {
  if (!/^[0-6]$/.test(s)) throw new CliError(`--compression expects 0 to 6, got '${s}'`);
  return Number(s);
}

function intArg(s: string, flag: string): number {
  if (!/^\d{1,9}$/.test(s)) throw new CliError(`${flag} expects an integer, got '${s}'`);
  return Number(s);
}

function evictionArg(s: string): string {
  if (!(EVICTION_POLICIES as readonly string[]).includes(s)) throw new CliError(`--eviction-policy expects one of ${EVICTION_POLICIES.join(', ')}, got '${s}'`);
  return s;
}

function dbConfigArg(json: string | undefined, file: string | undefined): Record<string, unknown> {
  if (json !== undefined && file !== undefined) throw new CliError('give --default-db-config or --default-db-config-file, not both');
  const text = file !== undefined ? readFileSync(file, 'utf8') : json;
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--default-db-config is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError('--default-db-config must be a JSON object');
  return v as Record<string, unknown>;
}

/** Flags of features Tandem does not have: accepted at their neutral value, refused otherwise. */
function refuseUnsupported(o: Record<string, unknown>): void {
  const off: [string, string][] = [['ossCluster', '--oss-cluster'], ['bigstore', '--bigstore'], ['ossSharding', '--oss-sharding']];
  for (const [k, flag] of off) if (o[k] !== undefined && bool(String(o[k]), flag)) throw new CliError(`${flag} true is not supported by Tandem`);
  if (o.withModule !== undefined) throw new CliError('--with-module: Tandem does not load modules');
  if (o.shardsCount !== undefined && intArg(String(o.shardsCount), '--shards-count') !== 1) throw new CliError('--shards-count: Tandem runs one shard per instance (1)');
  if (o.bigstoreRamSize !== undefined) throw new CliError('--bigstore-ram-size: Tandem has no Auto Tiering');
  if (o.featuresetVersion !== undefined || o.updateModule !== undefined || o.updateDbConfigModules !== undefined) throw new CliError('module and FeatureSet upgrades are not supported by Tandem (FeatureSet version 1)');
}

// ---- output -----------------------------------------------------------------------------------

const print = (line: string): void => {
  process.stdout.write(line + '\n');
};

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  print(line(header));
  for (const r of rows) print(line(r));
}

async function runTask(cmdOpts: ConnFlags & { wait?: boolean }, method: string, path: string, body: unknown, showGuid = false): Promise<void> {
  const task = await submitTask(target(cmdOpts), method, path, body, { wait: cmdOpts.wait !== false, showGuid, print });
  if (task.status === 'failed') {
    for (const e of taskErrors(task)) process.stderr.write(`ERROR: ${e}\n`);
    process.exitCode = 1;
  }
}

interface CrdbView {
  guid: string;
  name: string;
  encryption: boolean;
  causal_consistency: boolean;
  protocol_version: number;
  featureset_version: number;
  default_db_config: Record<string, unknown>;
  instances: { id: number; cluster: { name: string; url: string; replication_endpoint: string | null; replication_tls_sni: string | null }; compression: number; db_config: Record<string, unknown> }[];
}

const DB_CONFIG_KEYS = [
  'memory_size', 'port', 'replication', 'shard_key_regex', 'sharding', 'shards_count', 'tls_mode', 'rack_aware', 'data_persistence',
  'authentication_redis_pass', 'authentication_admin_pass', 'oss_sharding', 'oss_cluster', 'proxy_policy', 'shards_placement',
  'oss_cluster_api_preferred_ip_type', 'bigstore', 'bigstore_ram_size', 'aof_policy', 'snapshot_policy', 'max_aof_load_time', 'max_aof_file_size',
];

function dbConfigLines(cfg: Record<string, unknown>, indent: string): string[] {
  return DB_CONFIG_KEYS.map((k) => `${indent}${k}: ${cfg[k] === undefined || cfg[k] === null ? 'None' : typeof cfg[k] === 'object' ? JSON.stringify(cfg[k]) : String(cfg[k])}`);
}

function printCrdb(c: CrdbView): void {
  const cap = (b: boolean) => (b ? 'True' : 'False');
  print(`CRDB-GUID: ${c.guid}`);
  print(`Name: ${c.name}`);
  print(`Encryption: ${cap(c.encryption)}`);
  print(`Causal consistency: ${cap(c.causal_consistency)}`);
  print(`Protocol version: ${c.protocol_version}`);
  print(`FeatureSet version: ${c.featureset_version}`);
  print('Modules: []');
  print('Default-DB-Config:');
  for (const l of dbConfigLines(c.default_db_config, '    ')) print(l);
  for (const i of c.instances) {
    print('Instance:');
    print(`  Id: ${i.id}`);
    print('  Cluster:');
    print(`    FQDN: ${i.cluster.name}`);
    print(`    URL: ${i.cluster.url}`);
    print(`    Replication-Endpoint: ${i.cluster.replication_endpoint ?? '<Default>'}`);
    print(`    Replication TLS SNI: ${i.cluster.replication_tls_sni ?? '<Default>'}`);
    print(`  Compression: ${i.compression}`);
    print('  DB-Config:');
    for (const l of dbConfigLines(i.db_config, '    ')) print(l);
  }
}

// ---- commands ---------------------------------------------------------------------------------

type Opts = ConnFlags & Record<string, unknown>;

function guidPath(o: Opts, suffix = ''): string {
  const g = String(o.crdbGuid).replace(/^crdb:/, '');
  return `/v1/crdbs/${encodeURIComponent(g)}${suffix}`;
}

export function buildProgram(): Command {
  const program = new Command('crdb-cli');
  program.description('Manage Tandem Active-Active databases (CRDBs) through a cluster\'s REST API').version(TANDEM_VERSION);
  program.showHelpAfterError();
  const crdb = program.command('crdb').description('Active-Active database commands');
  const task = program.command('task').description('task commands');

  conn(crdb.command('create'), false)
    .description('create an Active-Active database across the clusters given with --instance')
    .requiredOption('--name <name>', 'database name')
    .requiredOption('--memory-size <size>', 'memory limit per instance (bytes, MB, GB)')
    .requiredOption('--instance <spec>', 'fqdn=…,url=…,username=…,password=…[,replication_endpoint=…][,replication_tls_sni=…] (one per cluster, ≥ 2)', (v: string, p: string[] = []) => [...p, v])
    .option('--port <port>', 'database port on every cluster (default: one from each cluster\'s range)')
    .option('--wait', 'wait for the task to end, showing its progress (default)')
    .option('--no-wait', 'print the task id and return')
    .option('--default-db-config <json>', 'default database_config fields (JSON)')
    .option('--default-db-config-file <file>', 'the same, from a file')
    .option('--compression <0-6>', 'replication compression', '3')
    .option('--causal-consistency <bool>', 'causal consistency', 'false')
    .option('--password <password>', 'database password (AUTH)')
    .option('--replication <bool>', 'replica shards (accepted, no effect: one process per instance)')
    .option('--encryption <bool>', 'encrypt inter-cluster traffic (recorded; replication TLS is not implemented)', 'false')
    .option('--sharding <bool>', 'accepted, no effect: one shard per instance')
    .option('--shards-count <n>', 'must be 1')
    .option('--shard-key-regex <regex>', 'accepted, no effect')
    .option('--oss-cluster <bool>', 'must be false')
    .option('--oss-sharding <bool>', 'must be false')
    .option('--bigstore <bool>', 'must be false')
    .option('--bigstore-ram-size <size>', 'not supported')
    .option('--eviction-policy <policy>', 'eviction policy', 'noeviction')
    .option('--proxy-policy <policy>', 'accepted, no effect')
    .option('--with-module <spec>', 'not supported')
    .action(async (o: Opts) => {
      refuseUnsupported(o);
      const instances = (o.instance as string[]).map((s) => parseInstance(s, compressionArg(String(o.compression))));
      if (instances.length < 2) throw new CliError('--instance: give one per participating cluster, at least 2');
      const cfg: Record<string, unknown> = { ...dbConfigArg(o.defaultDbConfig as string | undefined, o.defaultDbConfigFile as string | undefined) };
      cfg.memory_size = memoryArg(String(o.memorySize));
      cfg.eviction_policy = evictionArg(String(o.evictionPolicy));
      if (o.port !== undefined) cfg.port = intArg(String(o.port), '--port');
      if (o.password !== undefined) cfg.authentication_redis_pass = o.password;
      const body = {
        name: o.name,
        causal_consistency: bool(String(o.causalConsistency), '--causal-consistency'),
        encryption: bool(String(o.encryption), '--encryption'),
        default_db_config: cfg,
        instances,
      };
      await runTask({ ...o, password: undefined }, 'POST', '/v1/crdbs', body, true);
    });

  conn(crdb.command('list'))
    .description('list the Active-Active databases of the cluster, one row per instance')
    .action(async (o: Opts) => {
      const list = (await apiRequest<CrdbView[]>(target(o), 'GET', '/v1/crdbs')).body;
      const rows = list.flatMap((c) => c.instances.map((i) => [c.guid, c.name, String(i.id), i.cluster.name]));
      table(['CRDB-GUID', 'NAME', 'REPL-ID', 'CLUSTER-FQDN'], rows);
    });

  conn(crdb.command('get'))
    .description('show an Active-Active database')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .action(async (o: Opts) => printCrdb((await apiRequest<CrdbView>(target(o), 'GET', guidPath(o))).body));

  conn(crdb.command('update'))
    .description('change the global configuration of an Active-Active database')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .option('--no-wait', 'print the task id and return')
    .option('--force', 'update even without changes (bumps the configuration version)')
    .option('--default-db-config <json>', 'database_config fields to change (JSON)')
    .option('--default-db-config-file <file>', 'the same, from a file')
    .option('--compression <0-6>', 'replication compression of every instance')
    .option('--causal-consistency <bool>', 'causal consistency')
    .option('--credentials <spec>', 'id=<instance id>,username=…,password=… (credentials used for that instance\'s cluster)', (v: string, p: string[] = []) => [...p, v])
    .option('--encryption <bool>', 'encrypt inter-cluster traffic')
    .option('--oss-cluster <bool>', 'must be false')
    .option('--featureset-version <bool>', 'not supported')
    .option('--memory-size <size>', 'memory limit per instance')
    .option('--bigstore-ram-size <size>', 'not supported')
    .option('--eviction-policy <policy>', 'eviction policy')
    .option('--update-module <spec>', 'not supported')
    .option('--update-db-config-modules <bool>', 'not supported')
    .action(async (o: Opts) => {
      refuseUnsupported(o);
      const t = target(o);
      const change: Record<string, unknown> = {};
      const cfg = dbConfigArg(o.defaultDbConfig as string | undefined, o.defaultDbConfigFile as string | undefined);
      if (o.memorySize !== undefined) cfg.memory_size = memoryArg(String(o.memorySize));
      if (o.evictionPolicy !== undefined) cfg.eviction_policy = evictionArg(String(o.evictionPolicy));
      if (Object.keys(cfg).length > 0) change.default_db_config = cfg;
      if (o.causalConsistency !== undefined) change.causal_consistency = bool(String(o.causalConsistency), '--causal-consistency');
      if (o.encryption !== undefined) change.encryption = bool(String(o.encryption), '--encryption');
      const perInstance = new Map<number, Record<string, unknown>>();
      if (o.compression !== undefined || o.credentials !== undefined) {
        const current = (await apiRequest<CrdbView>(t, 'GET', guidPath(o))).body;
        if (o.compression !== undefined) for (const i of current.instances) perInstance.set(i.id, { id: i.id, compression: compressionArg(String(o.compression)) });
        for (const spec of (o.credentials as string[] | undefined) ?? []) {
          const kv = parseKv(spec, '--credentials');
          if (kv.has('client_cert') || kv.has('client_key')) {
            if (kv.has('username') || kv.has('password')) throw new CliError('Use either username/password or client_cert/client_key/trusted_ca, not both');
            throw new CliError('--credentials: certificate authentication is not supported by Tandem clusters');
          }
          const id = intArg(kv.get('id') ?? '', '--credentials id');
          if (!current.instances.some((i) => i.id === id)) throw new CliError(`--credentials: CRDB has no instance ${id}`);
          if (!kv.get('username') || !kv.has('password')) throw new CliError('--credentials: username=… and password=… are required');
          perInstance.set(id, { ...perInstance.get(id), id, cluster: { credentials: { username: kv.get('username'), password: kv.get('password') } } });
        }
      }
      if (perInstance.size > 0) change.instances = [...perInstance.values()];
      const force = o.force === true || o.credentials !== undefined;
      if (Object.keys(change).length === 0 && !force) throw new CliError('nothing to update: give at least one setting (or --force)');
      if (force) await runTask(o, 'POST', guidPath(o, '/updates'), { crdb: change, force_update: true });
      else await runTask(o, 'PATCH', guidPath(o), change);
    });

  conn(crdb.command('add-instance'))
    .description('add a participating cluster')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .requiredOption('--instance <spec>', 'fqdn=…,url=…,username=…,password=… (as for create)', (v: string, p: string[] = []) => [...p, v])
    .option('--compression <0-6>', 'replication compression', '3')
    .option('--wait', 'wait for the task to end (default)')
    .option('--no-wait', 'print the task id and return')
    .action(async (o: Opts) => {
      const add = (o.instance as string[]).map((s) => parseInstance(s, compressionArg(String(o.compression))));
      await runTask(o, 'POST', guidPath(o, '/updates'), { add_instances: add });
    });

  conn(crdb.command('remove-instance'))
    .description('remove an instance and delete its data on its cluster')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .requiredOption('--instance-id <id>', 'instance id')
    .option('--force', 'remove without contacting its cluster (then run purge-instance there)')
    .option('--no-wait', 'print the task id and return')
    .action(async (o: Opts) => {
      await runTask(o, 'POST', guidPath(o, '/updates'), { remove_instances: [intArg(String(o.instanceId), '--instance-id')], force_remove: o.force === true });
    });

  conn(crdb.command('purge-instance'))
    .description('on a cluster whose instance was removed with --force: delete the local instance')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .requiredOption('--instance-id <id>', 'instance id', (v: string, p: string[] = []) => [...p, v])
    .option('--no-wait', 'print the task id and return')
    .action(async (o: Opts) => {
      await runTask(o, 'PUT', guidPath(o, '/purge'), { instances: (o.instanceId as string[]).map((s) => intArg(s, '--instance-id')) });
    });

  conn(crdb.command('flush'))
    .description('delete every key on every instance (irreversible)')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .option('--no-wait', 'print the task id and return')
    .action(async (o: Opts) => runTask(o, 'PUT', guidPath(o, '/flush'), undefined));

  conn(crdb.command('delete'))
    .description('delete the database and every instance (irreversible)')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .option('--no-wait', 'print the task id and return')
    .action(async (o: Opts) => runTask(o, 'DELETE', guidPath(o), undefined));

  conn(crdb.command('health-report'))
    .description('print every participating cluster\'s view of the database (JSON)')
    .requiredOption('--crdb-guid <guid>', 'CRDB GUID')
    .action(async (o: Opts) => print(JSON.stringify((await apiRequest(target(o), 'GET', guidPath(o, '/health_report'))).body, null, 2)));

  conn(task.command('list'))
    .description('list the tasks of the cluster')
    .action(async (o: Opts) => {
      const list = (await apiRequest<TaskView[]>(target(o), 'GET', '/v1/crdb_tasks')).body;
      table(['TASK-ID', 'CRDB-GUID', 'OPERATION', 'STATUS', 'WORKER-NAME', 'STARTED', 'ENDED'], list.map((t) => [t.id, t.crdb_guid, t.operation, t.status, t.worker_name, t.started ?? '-', t.ended ?? '-']));
    });

  conn(task.command('status'))
    .description('show one task')
    .requiredOption('--task-id <id>', 'task id')
    .option('--verbose', 'also show errors and per-cluster progress')
    .option('--no-verbose', 'only the summary')
    .action(async (o: Opts) => {
      const t = (await apiRequest<TaskView>(target(o), 'GET', `/v1/crdb_tasks/${encodeURIComponent(String(o.taskId))}`)).body;
      const rows: [string, string][] = [
        ['Task-ID', t.id],
        ['CRDB-GUID', t.crdb_guid],
        ['Operation', t.operation],
        ['Status', t.status],
        ['Worker-Name', t.worker_name],
        ['Started', t.started ?? '-'],
        ['Ended', t.ended ?? '-'],
      ];
      for (const [k, v] of rows) print(`${k}: ${v}`);
      if (o.verbose === true) {
        for (const e of t.errors) print(`Error: ${e.cluster_name ?? '-'}: ${e.description} (${e.error_code})`);
        for (const c of t.progress.clusters) print(`Progress: ${c.name}: ${c.progress}`);
      }
    });

  conn(task.command('cancel'))
    .description('try to cancel a task (it may end before it can be cancelled)')
    .requiredOption('--task-id <id>', 'task id')
    .option('--force', 'cancel even in the commit phase')
    .action(async (o: Opts) => {
      await apiRequest(target(o), 'POST', `/v1/crdb_tasks/${encodeURIComponent(String(o.taskId))}/actions/cancel${o.force ? '?force=true' : ''}`);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof ApiError) {
      const statusText = e.status === 401 ? 'Unauthorized' : e.status === 404 ? 'Not Found' : e.status === 0 ? '' : `HTTP ${e.status}`;
      process.stderr.write(`ERROR: ${e.status === 0 ? '' : `${e.status} ${statusText}: `}${e.description}\n`);
    } else if (e instanceof CliError) {
      process.stderr.write(`ERROR: ${e.message}\n`);
    } else {
      process.stderr.write(`ERROR: ${(e as Error).message}\n`);
    }
    process.exitCode = 1;
  }
}

// `crdb-cli … | head`: a closed pipe ends the output quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
void main(process.argv);
