/**
 * Door of load/clients: the load generator's HTTP clients behind one transport contract
 * (./transport.ts): `lean`, the project's own HTTP/1.1 client (./http1.ts), and `undici`.
 */
export { createTransport } from './create.js';
export {
  ANSWER_TIMEOUT_CODE,
  encodePosts,
  Http1Pool,
  type Http1PoolOptions,
  type Http1Sink,
  PROTOCOL_CODE,
  SOCKET_CODE,
} from './http1.js';
export { type AnswerHandler, AnswerParser, MAX_HEAD_BYTES } from './http1-parser.js';
export {
  CLIENTS,
  type ClientName,
  type ClientSettings,
  type Transport,
  type TransportSink,
  type TransportSpec,
} from './transport.js';
