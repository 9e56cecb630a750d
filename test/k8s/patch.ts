// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the Kubernetes API server applies them.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class PatchError extends Error {}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`path ${path} does not exist`);
  }
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function getAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const t of decodePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`path ${path} does not exist`);
  }
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = decodePointer(path);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length)) throw new PatchError(`path ${path} does not exist`);
    return parent.splice(i, 1)[0];
  }
  if (!isObject(parent) || !(key in parent)) throw new PatchError(`path ${path} does not exist`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!(Number.isInteger(i) && i >= 0 && i <= parent.length)) throw new PatchError(`index ${key} out of range at ${path}`);
    if (replace) {
      if (i >= parent.length) throw new PatchError(`path ${path} does not exist`);
      parent[i] = structuredClone(value);
    } else parent.splice(i, 0, structuredClone(value));
  } else if (isObject(parent)) {
    if (replace && !(key in parent)) throw new PatchError(`path ${path} does not exist`);
    parent[key] = structuredClone(value) as Json;
  } else throw new PatchError(`cannot add at ${path}`);
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as Op[]) {
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = add(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'move': {
        const v = remove(doc, raw.from ?? '');
        doc = add(doc, raw.path, v, false);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, getAt(doc, raw.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)) throw new PatchError(`test operation failed at ${raw.path}`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}
