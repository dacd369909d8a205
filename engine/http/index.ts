/** Declared with the engine's configuration (engine/service); re-exported for the server's users. */
export { BATCH_ITEM_BYTES, DEFAULT_HTTP_OPTIONS, type HttpOptions } from '../service/index.js';
export { type Answer, errorAnswer, outcomeAnswer, rejectionAnswer } from './answers.js';
export { type HttpServer, startHttpServer } from './server.js';
