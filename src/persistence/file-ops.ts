/**
 * The file-system calls of the log's append path, behind an interface so tests can inject
 * failures (a full disk, an I/O error) without a real device (test/persistence/disk-errors).
 */
import fs from 'node:fs';

export interface FileOps {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  fdatasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  closeSync(fd: number): void;
}

export const realFileOps: FileOps = {
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync: (fd, buf, offset, length, position) => fs.writeSync(fd, buf, offset, length, position),
  fdatasync: (fd, cb) => fs.fdatasync(fd, cb),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  closeSync: (fd) => fs.closeSync(fd),
};

const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EROFS: 'Read-only file system',
  EDQUOT: 'Disk quota exceeded',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  ENOENT: 'No such file or directory',
};

/** The C library's strerror text of an fs error, as Redis prints it. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined && STRERROR[code]) || (e as Error).message;
}
