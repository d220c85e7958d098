/**
 * Real storage faults for tests: a small tmpfs volume (a full disk that `remount,size=` grows again),
 * a read-only bind mount of a folder, and running the CLI as another user. Each needs root and a
 * kernel that lets this container mount; `storageFaultsUnavailable()` says why not, for a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers.js';

/** Why real faults cannot be made here, or null when they can. */
export function storageFaultsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'tmpfs and bind mounts are Linux-only';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = tempDir('xferlens-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `this system does not let tests mount a tmpfs (${(err as Error).message.split('\n')[0]})`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** A tmpfs of `megabytes` mounted on a new folder; `unmount()` removes both. */
export class SmallVolume {
  readonly dir = tempDir('xferlens-volume-');
  private readonly filler = path.join(this.dir, 'filler.bin');

  constructor(megabytes: number) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0755`, 'tmpfs', this.dir]);
  }

  /** Bytes this user may still write. */
  free(): number {
    const s = fs.statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /** Fills the volume until only `leave` bytes are free (a file of zeros takes the rest). */
  fill(leave = 0): void {
    const chunk = Buffer.alloc(1 << 20);
    const fd = fs.openSync(this.filler, 'a');
    try {
      for (let want = this.free() - leave; want > 0; want = this.free() - leave) {
        try {
          fs.writeSync(fd, chunk, 0, Math.min(chunk.length, want));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
          throw err;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Space is back: the filler goes. */
  unfill(): void {
    fs.rmSync(this.filler, { force: true });
  }

  /** A bigger volume, what is on it kept (as when a user frees space on a full disk). */
  grow(megabytes: number): void {
    execFileSync('mount', ['-o', `remount,size=${megabytes}m`, this.dir]);
  }

  unmount(): void {
    spawnSync('umount', ['-l', this.dir]); // lazily: a connection a failed test left open must not keep it mounted
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `dir` seen through a read-only bind mount (a read-only share, a mounted backup); `unmount()` removes it. */
export class ReadOnlyView {
  readonly dir = tempDir('xferlens-ro-');

  constructor(source: string) {
    execFileSync('mount', ['--bind', source, this.dir]);
    execFileSync('mount', ['-o', 'remount,ro,bind', this.dir]);
  }

  unmount(): void {
    spawnSync('umount', ['-l', this.dir]); // lazily: a connection a failed test left open must not keep it mounted
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
