/** Markdown of the worked examples: keys, body layouts, ids, curl commands and answers. */
import { STATUS_CODES } from 'node:http';
import { sm3, userDigest } from '../../engine/crypto/index.js';
import { coinIdOf, isoDay, OP_TYPES, type Tx } from '../../engine/domain/index.js';
import {
  EXAMPLE_URL,
  type Example,
  type ExampleEngine,
  type ExampleRequest,
  type TxExample,
} from './steps.js';

/** What the engine answered to one example. */
export interface RecordedAnswer {
  readonly status: number;
  readonly body: string;
}

interface LayoutLine {
  readonly hex: string;
  readonly note: string;
}

function u16(n: number): string {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b.toString('hex');
}

function u32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b.toString('hex');
}

function u64(n: number): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b.toString('hex');
}

const ROLE_BYTES = { bank: 1, wallet: 2 } as const;
const KIND_BYTES = { personal: 1, merchant: 2 } as const;

/**
 * The canonical body field by field. Written from the layout in docs/api.md, and checked against
 * the engine's own encoding byte for byte before anything is written.
 */
function bodyLayout(tx: Tx, engine: ExampleEngine): LayoutLine[] {
  const keyName = (hex: string) => engine.keys.find((k) => k.publicKey === hex)?.name ?? 'a key';
  const k = tx.signer.length / 2;
  const type = OP_TYPES.indexOf(tx.type);
  const lines: LayoutLine[] = [
    { hex: '01', note: 'version 1 (u8)' },
    { hex: type.toString(16).padStart(2, '0'), note: `type ${type} = ${tx.type} (u8)` },
    { hex: tx.signer, note: `signer: ${keyName(tx.signer)} (${k} bytes)` },
    { hex: u32(tx.day), note: `day ${tx.day} = ${isoDay(tx.day)} (u32 LE)` },
    { hex: u64(tx.nonce), note: `nonce ${tx.nonce} (u64 LE)` },
    { hex: u16(tx.inputs.length), note: `${tx.inputs.length} inputs (u16 LE)` },
  ];
  tx.inputs.forEach((id, i) => {
    lines.push({ hex: id, note: `input ${i}: ${engine.coinNames.get(id) ?? 'a coin'}` });
  });
  lines.push({ hex: u16(tx.outputs.length), note: `${tx.outputs.length} outputs (u16 LE)` });
  tx.outputs.forEach((o, i) => {
    lines.push({ hex: o.owner, note: `output ${i} owner: ${keyName(o.owner)}` });
    lines.push({ hex: u64(o.value), note: `output ${i} value: ${o.value} fen (u64 LE)` });
  });
  const s = tx.subject;
  if (!s) {
    lines.push({ hex: '00', note: 'no subject (u8 0)' });
  } else {
    const kyc = Buffer.from(s.kyc ?? '', 'latin1');
    lines.push(
      { hex: '01', note: 'subject follows (u8 1)' },
      { hex: s.key, note: `subject key: ${keyName(s.key)}` },
      { hex: `0${ROLE_BYTES[s.role]}`, note: `role ${ROLE_BYTES[s.role]} = ${s.role}` },
      { hex: `0${s.tier ?? 0}`, note: s.tier ? `tier ${s.tier}` : 'tier 0 (none: a bank)' },
      {
        hex: `0${s.kind ? KIND_BYTES[s.kind] : 0}`,
        note: s.kind ? `kind ${KIND_BYTES[s.kind]} = ${s.kind}` : 'kind 0 (none: a bank)',
      },
      { hex: kyc.length.toString(16).padStart(2, '0'), note: `kyc length ${kyc.length} (u8)` },
    );
    if (kyc.length > 0) lines.push({ hex: kyc.toString('hex'), note: `kyc "${s.kyc}" (ASCII)` });
  }
  const joined = lines.map((l) => l.hex).join('');
  if (joined !== Buffer.from(tx.body).toString('hex'))
    throw new Error(`the documented layout of ${tx.type} differs from the engine's body`);
  return lines;
}

function fence(info: string, text: string): string {
  return `\`\`\`${info}\n${text}\n\`\`\``;
}

function columns(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => `${a.padEnd(width)}${b}`.trimEnd()).join('\n');
}

/** The curl command of a request against the documented engine address. */
export function curlOf(request: ExampleRequest): string {
  const parts = ['curl -i -sS'];
  if (request.method !== 'GET') parts.push(`-X ${request.method}`);
  parts.push(`${EXAMPLE_URL}${request.path}`);
  for (const [name, value] of Object.entries(request.headers)) parts.push(`-H '${name}: ${value}'`);
  if (request.body !== undefined) parts.push(`--data-binary '${request.body}'`);
  return parts.join(' ');
}

function answerOf(answer: RecordedAnswer): string {
  const body = JSON.stringify(JSON.parse(answer.body), null, 2);
  return `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\n\n${body}`;
}

function keysTable(engine: ExampleEngine): string {
  const sm2 = engine.suite === 'sm2';
  const rows = engine.keys.map(
    (k) =>
      `| \`${k.name}\` | ${k.role} | \`${k.privateHex}\` | \`${k.publicKey}\` | \`${k.walletId}\` |`,
  );
  const table = [
    `| key | role | ${sm2 ? 'private key d (big-endian)' : 'private key (RFC 8032 seed)'} | public key | wallet id |`,
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  if (!sm2) return table;
  const points = columns(
    engine.keys.flatMap(
      (k): Array<[string, string]> => [
        [`${k.name} uncompressed`, k.uncompressed!],
        [`${k.name} Z_A`, k.za!],
      ],
    ),
  );
  return `${table}\n\nThe same keys uncompressed, and their Z_A under the default ID \`1234567812345678\`:\n\n${fence('text keys', points)}`;
}

function idsBlock(example: TxExample, engine: ExampleEngine): string {
  const tx = example.tx;
  const rows: Array<[string, string]> = [['txid', tx.txidHex]];
  if (engine.suite === 'sm2') {
    const za = userDigest(Buffer.from(example.signer.uncompressed!, 'hex'));
    rows.push(['Z_A', za.toString('hex')], ['e', sm3(za, tx.txid).toString('hex')]);
  }
  rows.push(['signature', Buffer.from(tx.signature).toString('hex')]);
  tx.outputs.forEach((_, i) => {
    rows.push([`coin ${i}`, coinIdOf(tx.txid, i)]);
  });
  return fence('text ids', columns(rows));
}

function txProse(example: TxExample, engine: ExampleEngine): string {
  const tx = example.tx;
  const hash = engine.suite === 'sm2' ? 'SM3' : 'SHA-256';
  const scheme = engine.suite === 'sm2' ? 'SM2' : 'Ed25519';
  const coins =
    tx.outputs.length === 0
      ? ''
      : `; coin i = SHA-256(\`ecny-bench/coin/v1\\0\` ‖ txid ‖ u32le(i))`;
  return (
    `Canonical body, ${tx.body.length} bytes, one field per line. txid = ${hash}(\`ecny-bench/tx/v1\\0\` ‖ body); ` +
    `signature = ${scheme} by \`${example.signer.name}\` over the 32 txid bytes${coins}.`
  );
}

function exampleMarkdown(
  n: number,
  example: Example,
  answer: RecordedAnswer,
  engine: ExampleEngine,
): string {
  const parts = [`#### Example ${n}: ${example.title}`, example.text];
  if (example.kind === 'tx') {
    const layout = bodyLayout(example.tx, engine);
    parts.push(
      txProse(example, engine),
      fence('text body', columns(layout.map((l) => [l.hex, l.note] as const))),
      idsBlock(example, engine),
    );
  }
  parts.push(fence('sh', curlOf(example.request)), fence('http', answerOf(answer)));
  return parts.join('\n\n');
}

function keyIntro(engine: ExampleEngine): string {
  return engine.suite === 'sm2'
    ? 'Keys: d is the private scalar; the public key is [d]G on the SM2 curve, compressed.'
    : 'Keys: the private key is the 32-byte Ed25519 seed of RFC 8032 (node:crypto: PKCS#8 `302e020100300506032b657004220420` ‖ seed, or JWK `d`).';
}

function seedOrigin(engine: ExampleEngine): string {
  const text = `SHA-256 of the UTF-8 text \`ecny-bench api example ${engine.suite} <key>\``;
  return engine.suite === 'sm2'
    ? `Each d is (s mod (n − 1)) + 1, s being ${text} read as a big-endian integer.`
    : `Each seed is ${text}.`;
}

export function engineMarkdown(
  engine: ExampleEngine,
  firstNumber: number,
  answers: readonly RecordedAnswer[],
): string {
  const serve = ['npx ecny-bench serve --journal', engine.journal, ...engine.serveArgs].join(' ');
  const parts = [
    `### ${engine.heading}`,
    `Start an engine on a fresh journal (remove \`${engine.journal}\` first) and send the examples in order; each answer is what that engine gives.`,
    fence('sh', `rm -f ${engine.journal}*\n${serve}`),
    `${keyIntro(engine)} ${seedOrigin(engine)} They are public: for examples only.`,
    keysTable(engine),
    ...engine.examples.map((example, i) =>
      exampleMarkdown(firstNumber + i, example, answers[i]!, engine),
    ),
  ];
  return parts.join('\n\n');
}
