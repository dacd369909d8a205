/**
 * A streaming check of a JSON body's shape, fed chunk by chunk as the body arrives: nesting depth
 * and array lengths are bounded before anything is parsed or allocated, so a body of nested
 * arrays is refused after a few bytes instead of being read, buffered and handed to JSON.parse
 * (which holds the event loop, and every other request, for as long as it runs).
 *
 * It tracks structure only (brackets, commas, strings and their escapes): whether the body is
 * valid JSON is still JSON.parse's call once the body is complete.
 */

export interface JsonShapeLimits {
  /** Most open arrays/objects at once: `{"txs":[{"outputs":[{` is 5. */
  readonly maxDepth: number;
  /** Most elements in any one array. */
  readonly maxArrayLength: number;
}

/** Why a body was refused: too deep, or an array too long (at which depth, 1 = top level). */
export interface ShapeViolation {
  readonly kind: 'depth' | 'array';
  readonly depth: number;
  readonly message: string;
}

const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export class JsonShapeGuard {
  readonly #limits: JsonShapeLimits;
  /** Per open container: element count for an array, -1 for an object. */
  readonly #counts: number[] = [];
  /** Per open array: no element seen yet (the next non-blank byte starts the first). */
  readonly #empty: boolean[] = [];
  #inString = false;
  #escaped = false;

  constructor(limits: JsonShapeLimits) {
    this.#limits = limits;
  }

  /** Scans the next chunk; the first violation found, or null. */
  feed(chunk: Uint8Array): ShapeViolation | null {
    const counts = this.#counts;
    const empty = this.#empty;
    const { maxDepth, maxArrayLength } = this.#limits;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) this.#inString = false;
        continue;
      }
      if (isWhitespace(byte)) continue;
      const top = counts.length - 1;
      if (top >= 0 && empty[top] && byte !== CLOSE_ARRAY) {
        // The first element of an empty array begins here.
        empty[top] = false;
        counts[top] = 1;
      }
      switch (byte) {
        case QUOTE:
          this.#inString = true;
          break;
        case OPEN_ARRAY:
        case OPEN_OBJECT:
          if (counts.length >= maxDepth) {
            return {
              kind: 'depth',
              depth: counts.length + 1,
              message: `JSON nested deeper than ${maxDepth} levels`,
            };
          }
          counts.push(byte === OPEN_ARRAY ? 0 : -1);
          empty.push(byte === OPEN_ARRAY);
          break;
        case CLOSE_ARRAY:
        case CLOSE_OBJECT:
          counts.pop();
          empty.pop();
          break;
        case COMMA:
          if (top >= 0 && counts[top]! >= 0 && ++counts[top]! > maxArrayLength) {
            return {
              kind: 'array',
              depth: top + 1,
              message: `a JSON array holds more than ${maxArrayLength} elements`,
            };
          }
          break;
      }
    }
    return null;
  }
}
