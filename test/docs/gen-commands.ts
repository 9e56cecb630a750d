/**
 * docs/commands.md is generated from the command table, so it can never drift: the test below
 * fails when the file is stale; `npm run docs` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allCommands } from '../../src/engine/command-table.js';
import type { CommandSpec } from '../../src/engine/command-table.js';
import '../../src/server/server.js';
import '../../src/persistence/commands.js';
import '../../src/replication/commands.js';

export const COMMANDS_DOC = fileURLToPath(new URL('../../../docs/commands.md', import.meta.url));

function arity(spec: CommandSpec): string {
  return spec.arity > 0 ? `${spec.arity}` : `≥ ${-spec.arity}`;
}

function row(spec: CommandSpec): string {
  const name = spec.name.replace('|', ' ').toUpperCase();
  return `| \`${name}\` | ${arity(spec)} | ${spec.flags.join(', ')} | ${spec.summary.replace(/\|/g, '\\|')} |`;
}

export function renderCommandsDoc(): string {
  const byGroup = new Map<string, CommandSpec[]>();
  for (const s of allCommands()) {
    const list = byGroup.get(s.group) ?? [];
    list.push(s);
    byGroup.set(s.group, list);
  }
  const lines = [
    '# Supported commands',
    '',
    'Generated from the command table (`src/engine/command-table.ts` and the family modules) by',
    '`npm run docs`; a test fails when this file is stale. Replies and error texts follow Redis 7.0',
    'unless [semantics.md](semantics.md) says otherwise. Arity counts the command name, as `COMMAND`',
    'reports it.',
    '',
  ];
  for (const group of [...byGroup.keys()].sort()) {
    lines.push(`## ${group}`, '', '| command | arity | flags | summary |', '|---|---|---|---|');
    for (const s of byGroup.get(group)!.sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(row(s));
      for (const sub of s.subcommands ?? []) lines.push(row(sub));
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv.includes('--write')) {
  writeFileSync(COMMANDS_DOC, renderCommandsDoc());
  process.stdout.write(`wrote ${COMMANDS_DOC}\n`);
}

export function currentCommandsDoc(): string {
  return readFileSync(COMMANDS_DOC, 'utf8');
}
