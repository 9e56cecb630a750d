// Kubernetes label selector strings (`a=b,c!=d,e,!f,g in (x,y),h notin (z)`) as the API server reads them.

type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(selector: string): Requirement[] {
  const reqs: Requirement[] = [];
  // split on commas that are not inside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  for (const part of parts.map((p) => p.trim()).filter((p) => p !== '')) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = m;
      const values = new Set(list!.split(',').map((v) => v.trim()));
      reqs.push(op === 'in' ? (l) => key! in l && values.has(l[key!]!) : (l) => !(key! in l) || !values.has(l[key!]!));
    } else if ((m = part.match(/^([\w./-]+)\s*(==|!=|=)\s*([\w./-]*)$/))) {
      const [, key, op, value] = m;
      reqs.push(op === '!=' ? (l) => l[key!] !== value : (l) => l[key!] === value);
    } else if ((m = part.match(/^!([\w./-]+)$/))) {
      const key = m[1]!;
      reqs.push((l) => !(key in l));
    } else if ((m = part.match(/^([\w./-]+)$/))) {
      const key = m[1]!;
      reqs.push((l) => key in l);
    } else {
      throw new Error(`unable to parse requirement: ${JSON.stringify(part)}`);
    }
  }
  return reqs;
}

export function matchesLabels(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return parseLabelSelector(selector).every((r) => r(labels ?? {}));
}
