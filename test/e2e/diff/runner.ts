// Runs a generated command stream against a reference server and a target server, one command
// at a time (both sides concurrently), and stops at the first reply that differs.
import { type Reply, formatReply } from '../../../src/protocol/resp-client.js';
import type { Arg } from '../../helpers/raw-client.js';
import { withTimeout } from '../../helpers/wait-for.js';
import { compareReplies, showReply, tamperReply } from './compare.js';
import { type CommandFamily, finalStateSteps, generateSteps } from './generator.js';
import { EXACT, type Side, type Step } from './step.js';

export interface DiffOptions {
  seed: number;
  /** Commands to generate (the final state comparison comes on top). */
  commands: number;
  families: readonly CommandFamily[];
  ref: Side;
  target: Side;
  /** Alter the target's reply at this index (self-test of the comparison). */
  tamperAt?: number;
  /** Per-step limit for one side to answer (default 10 s). */
  stepTimeoutMs?: number;
  /** Lines of context in a failure report (default 20). */
  history?: number;
  /** Appended to the failure report, e.g. how to replay. */
  replayHint?: (index: number) => string;
}

export interface DiffStats {
  steps: number;
  /** Per command name: [commands sent, of which the reference answered with an error]. */
  byCommand: Map<string, [number, number]>;
  elapsedMs: number;
}

interface Done {
  index: number;
  step: Step;
  ref: Reply;
  target: Reply;
}

export class DiffMismatch extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly step: Step,
  ) {
    super(message);
    this.name = 'DiffMismatch';
  }
}

/** A command line for reports: plain words as they are, anything else quoted and escaped. */
export function formatArgs(args: readonly Arg[], max = 120): string {
  return args
    .map((a) => {
      if (typeof a === 'string' && /^[!-~]+$/.test(a) && !a.includes('"')) return a;
      const q = formatReply({ t: 'bulk', v: typeof a === 'string' ? Buffer.from(a, 'latin1') : a });
      return q.length <= max ? q : `${q.slice(0, max)}…(${a.length} bytes)`;
    })
    .join(' ');
}

function commandName(step: Step, known: ReadonlySet<string>): string {
  const a = step.args[0];
  const name = (a === undefined ? '' : a.toString()).toUpperCase();
  return known.has(name) ? name : '(unknown)';
}

export async function runDifferential(opts: DiffOptions): Promise<DiffStats> {
  const historySize = opts.history ?? 20;
  const timeout = opts.stepTimeoutMs ?? 10_000;
  const history: Done[] = [];
  const stats: DiffStats = { steps: 0, byCommand: new Map(), elapsedMs: 0 };
  const started = Date.now();
  const known = new Set(opts.families.flatMap((f) => f.commands.map((c) => c.name[0]!)));
  for (const s of finalStateSteps(opts.families)) known.add(String(s.args[0]));

  const execOn = (side: Side, step: Step, index: number): Promise<Reply> => {
    const p = step.exec ? step.exec(side) : side.call(step.args);
    return withTimeout(p, timeout, `${side.name} answering step ${index}: ${formatArgs(step.args)}`);
  };

  const runStep = async (step: Step, index: number): Promise<void> => {
    let ref: Reply;
    let target: Reply;
    try {
      [ref, target] = await Promise.all([execOn(opts.ref, step, index), execOn(opts.target, step, index)]);
    } catch (e) {
      throw new DiffMismatch(report(opts, history, historySize, index, step, undefined, undefined, (e as Error).message), index, step);
    }
    if (opts.tamperAt === index) target = tamperReply(target);
    const why = compareReplies(step.check ?? EXACT, ref, target);
    const name = commandName(step, known);
    const c = stats.byCommand.get(name) ?? [0, 0];
    c[0]++;
    if (ref.t === 'error') c[1]++;
    stats.byCommand.set(name, c);
    if (why !== undefined) {
      throw new DiffMismatch(report(opts, history, historySize, index, step, ref, target, why), index, step);
    }
    history.push({ index, step, ref, target });
    if (history.length > historySize) history.shift();
  };

  let index = 0;
  for (const step of generateSteps({ seed: opts.seed, families: opts.families })) {
    if (index >= opts.commands) break;
    await runStep(step, index++);
  }
  for (const step of finalStateSteps(opts.families)) await runStep(step, index++);
  stats.steps = index;
  stats.elapsedMs = Date.now() - started;
  return stats;
}

function report(
  opts: DiffOptions,
  history: readonly Done[],
  historySize: number,
  index: number,
  step: Step,
  ref: Reply | undefined,
  target: Reply | undefined,
  why: string,
): string {
  const lines: string[] = [];
  lines.push(`differential test: ${opts.ref.name} and ${opts.target.name} disagree (${why})`);
  lines.push(`  seed:    ${opts.seed}`);
  lines.push(`  index:   ${index}${index >= opts.commands ? ' (final state comparison)' : ''}`);
  lines.push(`  command: ${formatArgs(step.args, 400)}${step.exec ? '   [probe: several calls, reduced]' : ''}`);
  lines.push(`  check:   ${(step.check ?? EXACT).kind}`);
  if (ref) lines.push(`  ${opts.ref.name.padEnd(7)}: ${showReply(ref, 600)}`);
  if (target) lines.push(`  ${opts.target.name.padEnd(7)}: ${showReply(target, 600)}`);
  if (opts.tamperAt !== undefined) lines.push(`  (reply at index ${opts.tamperAt} was altered on purpose: DIFF_TAMPER)`);
  lines.push(`last ${Math.min(historySize, history.length)} commands before it (index: command -> ${opts.ref.name} | ${opts.target.name}):`);
  for (const h of history) {
    const [r, t] = [showReply(h.ref, 100), showReply(h.target, 100)];
    const replies = r === t ? r : `${r} | ${t}`;
    lines.push(`  ${String(h.index).padStart(6)}: ${formatArgs(h.step.args, 60)} -> ${replies}`);
  }
  if (opts.replayHint) lines.push(opts.replayHint(index));
  return lines.join('\n');
}

/** A coverage table: how often each command ran and how often the reference refused it. */
export function formatStats(stats: DiffStats): string {
  const rows = [...stats.byCommand.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const cells = rows.map(([name, [n, err]]) => `${name} ${n}/${err}err`);
  const out: string[] = [`${stats.steps} steps in ${stats.elapsedMs} ms; per command (sent/reference errors):`];
  for (let i = 0; i < cells.length; i += 6) out.push('  ' + cells.slice(i, i + 6).join(', '));
  return out.join('\n');
}
