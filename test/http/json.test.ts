/** Strict JSON bodies: repeated keys found anywhere, strings never mistaken for structure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isJsonMediaType, parseJsonBody } from '../../engine/http/json.js';

const parse = (text: string) => parseJsonBody(Buffer.from(text));

describe('parseJsonBody', () => {
  it('accepts JSON without repeated keys, whatever its strings hold', () => {
    for (const text of [
      '{}',
      '[]',
      '42',
      '"a:b"',
      '{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]}}',
      '{"a:b":"c:d","\\"e\\":":"f\\\\","g\\\\":":"}',
      '{ "spaced" : 1 , "out" :\n{ "x" : [ 1 , 2 ] } }',
      '{"__proto__":1,"constructor":2}',
      '{"k":"\\\\\\"","l":"\\u0022:\\u0022"}',
    ]) {
      const parsed = parse(text);
      assert.ok(typeof parsed === 'object', `${text}: ${String(parsed)}`);
      assert.deepEqual(parsed.value, JSON.parse(text));
    }
  });

  it('refuses a key repeated in any object, at any depth', () => {
    for (const text of [
      '{"a":1,"a":1}',
      '{"a":1,"a":2}',
      '{"x":{"b":1,"b":2}}',
      '{"x":[{"c":1},{"c":1,"c":2}]}',
      '[{"d":1,"d":1}]',
      '{"__proto__":1,"__proto__":2}',
      '{"e":"\\"","e":"x"}',
      '{"f" : 1 , "f" : 2}',
    ]) {
      assert.equal(parse(text), 'duplicate-key', text);
    }
  });

  it('matches a reference duplicate finder on generated JSON', () => {
    // Objects as tagged lists of pairs, so repeated keys survive into the text.
    type Node =
      | { readonly s: unknown }
      | { readonly a: readonly Node[] }
      | { readonly o: ReadonlyArray<readonly [string, Node]> };
    const key = fc.constantFrom('a', 'b', 'a:b', '"', '\\', 'c\\"', ':');
    const tree = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(1, 'x', 'y:"z"', null, true, '\\').map((s) => ({ s })),
        fc.array(tie('node'), { maxLength: 3 }).map((a) => ({ a })),
        fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((o) => ({ o })),
      ),
    })).node;
    const toText = (n: Node): { text: string; dup: boolean } => {
      if ('s' in n) return { text: JSON.stringify(n.s), dup: false };
      if ('a' in n) {
        const items = n.a.map(toText);
        return { text: `[${items.map((i) => i.text).join(',')}]`, dup: items.some((i) => i.dup) };
      }
      const seen = new Set<string>();
      let dup = false;
      const parts = n.o.map(([k, x]) => {
        if (seen.has(k)) dup = true;
        seen.add(k);
        const inner = toText(x);
        dup ||= inner.dup;
        return `${JSON.stringify(k)} : ${inner.text}`;
      });
      return { text: `{${parts.join(',')}}`, dup };
    };
    fc.assert(
      fc.property(tree, (node) => {
        const { text, dup } = toText(node);
        const parsed = parse(text);
        if (dup) assert.equal(parsed, 'duplicate-key', text);
        else assert.ok(typeof parsed === 'object', `${text}: ${String(parsed)}`);
      }),
      { numRuns: 500 },
    );
  });

  it('survives nesting deeper than the call stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}{"a":1,"a":2}${']'.repeat(depth)}`;
    let parsed: ReturnType<typeof parse> | undefined;
    try {
      parsed = parse(text);
    } catch (error) {
      assert.fail(`threw ${String(error)}`);
    }
    // JSON.parse itself may refuse such depth; either way no stack overflow escapes.
    assert.ok(parsed === 'duplicate-key' || parsed === 'not-json');
  });

  it('says not-json for what JSON.parse refuses', () => {
    for (const text of ['', '{', '{"a":}', 'nul', '\u0000']) assert.equal(parse(text), 'not-json');
  });
});

describe('isJsonMediaType', () => {
  it('accepts application/json in any case, with a UTF-8 charset at most', () => {
    for (const type of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
      'application/json ; charset=utf8',
    ])
      assert.equal(isJsonMediaType(type), true, type);
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/jsonx',
      'application/json; charset=iso-8859-1',
      'text/json',
      'multipart/form-data',
    ])
      assert.equal(isJsonMediaType(type), false, String(type));
  });
});
