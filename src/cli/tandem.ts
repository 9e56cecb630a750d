#!/usr/bin/env node
/**
 * The `tandem` command: `tandem server` runs a data node; `tandem start` is what `npm start`
 * runs (for now one data node on port 6379).
 */
import { Command, Option } from 'commander';
import { runServer } from './server-main.js';
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
  .command('start')
  .description('start the embedded default (what `npm start` runs): a data node on port 6379')
  .option('--port <port>', 'TCP port', '6379')
  .action(async (opts: { port: string }) => {
    const server = await runServer({ port: opts.port, bind: '127.0.0.1' });
    process.stdout.write(
      `\nTandem data node running on 127.0.0.1:${server.port} (a single instance, until the management plane lands).\n` +
        `Connect with:  redis-cli -p ${server.port}\nStop with Ctrl-C.\n\n`,
    );
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`tandem: ${(e as Error).message}\n`);
  process.exit(1);
});
