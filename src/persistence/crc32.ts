/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib and gzip) of the log and snapshot records.
 * node:zlib has `crc32` from Node 20.15 / 22.2; older Node 20 releases use the table version,
 * which computes the same function (test/persistence/records.test.ts checks they agree).
 */
import zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The table-driven CRC-32, continuing from `crc` (0 to start). */
export function crc32Table(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type Crc32Fn = (data: Uint8Array, value?: number) => number;
const native = (zlib as unknown as { crc32?: Crc32Fn }).crc32;

/** CRC-32 of `data`, continuing from `crc` (0 to start). */
export const crc32: (data: Uint8Array, crc?: number) => number = typeof native === 'function' ? (d, c = 0) => native(d, c) : crc32Table;
