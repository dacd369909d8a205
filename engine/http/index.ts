export { type Answer, errorAnswer, outcomeAnswer, rejectionAnswer } from './answers.js';
export {
  DEFAULT_HTTP_OPTIONS,
  type HttpOptions,
  type HttpServer,
  startHttpServer,
} from './server.js';
