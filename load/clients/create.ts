import { LeanTransport } from './lean.js';
import type { Transport, TransportSink, TransportSpec } from './transport.js';
import { UndiciTransport } from './undici.js';

/** The transport of `spec.config.client`. */
export function createTransport(spec: TransportSpec, sink: TransportSink): Transport {
  return spec.config.client === 'undici'
    ? new UndiciTransport(spec, sink)
    : new LeanTransport(spec, sink);
}
