/**
 * What the HTTP ingress records: the end-to-end time and the respond stage of every transaction it
 * answers, answers by code, and its events; and the /metrics answer (docs/api.md, "Metrics").
 */
import type { ServerResponse } from 'node:http';
import {
  type EngineMetrics,
  EXPOSITION_CONTENT_TYPE,
  type RequestEvent,
  type RouteLabel,
  requestChannel,
  type ShedEvent,
  shedChannel,
} from '../metrics/index.js';
import type { Outcome, SettlementTiming } from '../pipeline/index.js';
import type { Answer } from './answers.js';

/**
 * One transaction answered (alone or as one entry of a batch), once its answer is written at `now`:
 * its code, its time from the request's arrival by outcome, and (when it reached the pipeline)
 * its respond stage. `answer` null means settled (written from a template).
 */
export function countTxAnswer(
  metrics: EngineMetrics,
  answer: Answer | null,
  outcome: Outcome['status'],
  timing: SettlementTiming | null,
  arrivedAt: number,
  now: number,
): void {
  metrics.answer(answer === null ? 'SETTLED' : String(answer.body['code'] ?? 'SETTLED'));
  metrics.settlement[outcome].observeMs(now - arrivedAt);
  if (timing !== null && !Number.isNaN(timing.answeredAt)) {
    metrics.stage.respond.observeMs(now - timing.answeredAt);
  }
}

/** A transaction request refused whole, before any transaction in it was read: its code, once. */
export function countTxRefused(metrics: EngineMetrics, answer: Answer): void {
  metrics.answer(String(answer.body['code']));
}

/** A transaction request refused at admission, before its body was read. */
export function countShed(
  metrics: EngineMetrics,
  route: RouteLabel,
  code: 'OVERLOADED' | 'UNAVAILABLE',
  reason: string,
): void {
  metrics.answer(code);
  if (shedChannel.hasSubscribers) shedChannel.publish({ route, code, reason } satisfies ShedEvent);
}

/** Tells the request channel's subscribers, if any, of one answered request. */
export function publishRequest(
  route: RouteLabel,
  status: number,
  transactions: number,
  arrivedAt: number,
  now: number = performance.now(),
): void {
  if (!requestChannel.hasSubscribers) return;
  requestChannel.publish({
    route,
    status,
    transactions,
    ms: now - arrivedAt,
  } satisfies RequestEvent);
}

/** GET /metrics: the registry's text, rendered now. */
export function metricsAnswer(metrics: EngineMetrics, res: ServerResponse): void {
  const text = metrics.registry.render();
  res.writeHead(200, [
    'content-type',
    EXPOSITION_CONTENT_TYPE,
    'content-length',
    String(Buffer.byteLength(text)),
  ]);
  res.end(text);
}
