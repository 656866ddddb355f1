/**
 * Password hashing: argon2id (@node-rs/argon2, on libuv's thread pool) with a cap on how many
 * hashes run at once. Each running hash holds `memoryKiB` of RAM, so the cap bounds memory:
 * `maxConcurrent` run, up to `maxQueued` wait their turn, and past that the request fails
 * fast with RegistryError('server_busy', { retryAfter }) → 503 + Retry-After, never an
 * out-of-memory. `verifyDummy` runs a full verify against a fixed hash with the same
 * parameters, so a login for an unknown account costs what a wrong password costs.
 *
 * @example
 *   const pw = new PasswordHasher({ memoryKiB: 19456, timeCost: 2, parallelism: 1, maxConcurrent: 4 });
 *   const phc = await pw.hash('correct horse');
 *   await pw.verify(phc, 'correct horse'); // true
 */
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { RegistryError } from '../../schema/index.ts';

/** OWASP Password Storage Cheat Sheet, argon2id minimum. */
export const OWASP_MIN = { memoryKiB: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasherOptions {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  /** Hashes running at once (each holds memoryKiB). */
  maxConcurrent: number;
  /** Hashes allowed to wait for a slot; beyond that, server_busy. Default 8 × maxConcurrent. */
  maxQueued?: number;
}

export class PasswordHasher {
  readonly options: Required<PasswordHasherOptions>;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private dummyHash: Promise<string> | undefined;
  /** Peak number of hashes that ran at once (for the benchmark and tests). */
  peakRunning = 0;

  constructor(opts: PasswordHasherOptions) {
    if (opts.maxConcurrent < 1) throw new Error('PasswordHasher: maxConcurrent must be ≥ 1');
    this.options = { ...opts, maxQueued: opts.maxQueued ?? opts.maxConcurrent * 8 };
  }

  async hash(password: string): Promise<string> {
    return this.withSlot(() => hash(password, this.argonOptions()));
  }

  /** False for a wrong password or a malformed stored hash. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    return this.withSlot(() => verify(passwordHash, password, this.argonOptions()).catch(() => false));
  }

  /** A verify that always fails and costs as much as a real one (unknown accounts). */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.withSlot(() => hash(randomBytes(24).toString('base64url'), this.argonOptions()));
    const dummy = await this.dummyHash.catch((e: unknown) => {
      this.dummyHash = undefined; // e.g. server_busy on the very first use: try again next time
      throw e;
    });
    await this.verify(dummy, password);
    return false;
  }

  private argonOptions() {
    return {
      // Algorithm is an ambient const enum (not importable as a value here): 2 = Argon2id.
      algorithm: 2 as Algorithm,
      memoryCost: this.options.memoryKiB,
      timeCost: this.options.timeCost,
      parallelism: this.options.parallelism,
    };
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.maxConcurrent) {
      if (this.waiting.length >= this.options.maxQueued) {
        throw new RegistryError('server_busy', 'too many logins in progress; retry shortly', { retryAfter: 1 });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    // A slot is held here (either taken above or handed over by release()).
    this.peakRunning = Math.max(this.peakRunning, this.running);
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // hand the slot over; running stays the same
      else this.running--;
    }
  }
}
