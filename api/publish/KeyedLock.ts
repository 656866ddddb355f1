/**
 * An in-process mutex per key. The publish pipeline holds it, keyed by the canonical name,
 * while it claims a NEW package name: two first publishes of `foo-bar` and `foobar` (or of
 * `foo` by two users) run one after the other, so the second sees the first's commit.
 *
 * @example await locks.run(canonicalName(name), async () => { … });
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.#tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
