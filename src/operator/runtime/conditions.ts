/** Standard conditions (metav1.Condition) with observedGeneration; transition time kept when unchanged. */
import type { Condition } from '../schemas/schema.js';

export function setCondition(list: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>, now = new Date()): Condition[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? out[i] : undefined;
  const next: Condition = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z') };
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

export function removeCondition(list: Condition[] | undefined, type: string): Condition[] {
  return (list ?? []).filter((c) => c.type !== type);
}

export function getCondition(list: Condition[] | undefined, type: string): Condition | undefined {
  return (list ?? []).find((c) => c.type === type);
}

/** The UnsupportedFields condition: True (with the field names) when something set is not applied. */
export function withUnsupportedFields(list: Condition[] | undefined, fields: string[], generation: number, what = 'field'): Condition[] {
  return setCondition(list, {
    type: 'UnsupportedFields',
    status: fields.length > 0 ? 'True' : 'False',
    reason: fields.length > 0 ? 'NotApplied' : 'AllApplied',
    message: fields.length > 0 ? `accepted but not applied by Tandem: ${fields.join(', ')}` : `every ${what} set is applied`,
    observedGeneration: generation,
  });
}
