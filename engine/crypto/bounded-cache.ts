/**
 * A bounded least-recently-used map, shared by every verification backend for per-key state
 * (parsed KeyObjects, decoded points). Wallet keys repeat across transactions, so parsing or
 * decoding a key once and reusing it takes that cost off the hot path; the bound keeps a flood
 * of one-off (or garbage) keys from growing memory without limit.
 *
 * Recency is a doubly linked list through the entries, so a hit relinks two nodes and leaves the
 * Map alone (a delete + re-insert per hit leaves a hole each time and makes the Map rehash).
 */
interface Entry<V> {
  readonly key: string;
  value: V;
  /** Towards the least recently used end. */
  older: Entry<V> | null;
  /** Towards the most recently used end. */
  newer: Entry<V> | null;
}

export class BoundedCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #capacity: number;
  /** Least recently used. */
  #oldest: Entry<V> | null = null;
  /** Most recently used. */
  #newest: Entry<V> | null = null;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`cache capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value, marked as most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#append(entry);
    }
    return entry.value;
  }

  /** Stores a value, evicting the least recently used entry when full. */
  set(key: string, value: V): void {
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      if (existing !== this.#newest) {
        this.#unlink(existing);
        this.#append(existing);
      }
      return;
    }
    const entry: Entry<V> = { key, value, older: null, newer: null };
    this.#entries.set(key, entry);
    this.#append(entry);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#oldest!;
      this.#unlink(oldest);
      this.#entries.delete(oldest.key);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#oldest = null;
    this.#newest = null;
  }

  #unlink(entry: Entry<V>): void {
    if (entry.older === null) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === null) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = null;
    entry.newer = null;
  }

  #append(entry: Entry<V>): void {
    entry.older = this.#newest;
    if (this.#newest === null) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }
}
