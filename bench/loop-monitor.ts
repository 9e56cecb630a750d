// Preloaded into a server process (`node --import dist/bench/loop-monitor.js …`) to measure how
// long its event loop stalls (perf_hooks.monitorEventLoopDelay). On SIGUSR2 it writes the figures
// since the previous signal as JSON to $TANDEM_LOOP_MONITOR_OUT and starts a new window, so a
// benchmark can bracket exactly the phase it measures (e.g. a full-sync join).
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopFigures {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
}

const out = process.env.TANDEM_LOOP_MONITOR_OUT;
if (out !== undefined && out !== '') {
  const h = monitorEventLoopDelay({ resolution: 2 });
  h.enable();
  process.on('SIGUSR2', () => {
    const f: LoopFigures = { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, meanMs: h.mean / 1e6, samples: h.count };
    h.reset();
    // Written whole, then renamed: the reader never sees half a file.
    writeFileSync(`${out}.tmp`, JSON.stringify(f));
    renameSync(`${out}.tmp`, out);
  });
}
