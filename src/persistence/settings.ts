/**
 * Persistence settings: the modes of `tandem server --persistence`, the fsync policies of
 * `--appendfsync`, and how the reference database settings (k8s-control-plane.md, REDB/REAADB
 * `persistence`) map onto them. The management plane imports REFERENCE_PERSISTENCE.
 */
export const PERSISTENCE_MODES = ['aof', 'snapshot', 'disabled'] as const;
export type PersistenceMode = (typeof PERSISTENCE_MODES)[number];

export const FSYNC_POLICIES = ['always', 'everysec', 'no'] as const;
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number];

export interface DataNodePersistence {
  /** `--persistence`. */
  readonly persistence: PersistenceMode;
  /** `--appendfsync` (only matters with aof). */
  readonly appendfsync: FsyncPolicy;
  /** The `save` parameter (snapshot points "<seconds> <changes>"; only with snapshot). */
  readonly save: string;
}

export type ReferencePersistence = 'disabled' | 'aofEverySecond' | 'aofAlways' | 'snapshotEvery1Hour' | 'snapshotEvery6Hour' | 'snapshotEvery12Hour';

/** The reference's `persistence` values and the data-node settings each one means. */
export const REFERENCE_PERSISTENCE: Readonly<Record<ReferencePersistence, DataNodePersistence>> = {
  disabled: { persistence: 'disabled', appendfsync: 'everysec', save: '' },
  aofEverySecond: { persistence: 'aof', appendfsync: 'everysec', save: '' },
  aofAlways: { persistence: 'aof', appendfsync: 'always', save: '' },
  snapshotEvery1Hour: { persistence: 'snapshot', appendfsync: 'everysec', save: '3600 1' },
  snapshotEvery6Hour: { persistence: 'snapshot', appendfsync: 'everysec', save: '21600 1' },
  snapshotEvery12Hour: { persistence: 'snapshot', appendfsync: 'everysec', save: '43200 1' },
};

/** The `tandem server` flags for a reference setting. */
export function dataNodeFlags(p: ReferencePersistence): string[] {
  const s = REFERENCE_PERSISTENCE[p];
  const flags = ['--persistence', s.persistence];
  if (s.persistence === 'aof') flags.push('--appendfsync', s.appendfsync);
  if (s.save !== '') flags.push('--set', `save=${s.save}`);
  return flags;
}

/** Parses `save` ("<seconds> <changes> ..."): the snapshot points, or null if malformed. */
export function parseSavePoints(v: string): { seconds: number; changes: number }[] | null {
  const words = v.trim().split(/\s+/).filter(Boolean);
  if (words.length % 2 !== 0) return null;
  const out: { seconds: number; changes: number }[] = [];
  for (let i = 0; i < words.length; i += 2) {
    if (!/^\d+$/.test(words[i]!) || !/^\d+$/.test(words[i + 1]!)) return null;
    out.push({ seconds: Number(words[i]), changes: Number(words[i + 1]) });
  }
  return out;
}
