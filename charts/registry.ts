/**
 * The chart registry: every chart kind, keyed by id, in report order.
 *
 * `buildRunCharts`, `renderRunCharts` and `writeReport` iterate the registry, so adding a chart
 * (e.g. the capacity charts: achieved-vs-offered with the elbow, latency-vs-throughput, USL fit)
 * is one `registerChart` call with an `applies` test such as `(r) => r.kind === 'capacity'`;
 * the PNG, the report section and its "how to read this" follow. Builders should compose
 * charts/theme.ts and charts/palette.ts so new charts look like the old ones.
 */
import type { RunResult } from '../result-format/index.js';
import {
  BACKLOG_ID,
  BY_TYPE_ID,
  buildBacklogChart,
  buildByTypeChart,
  buildCapacityLatencyChart,
  buildCapacityScaleOutChart,
  buildCapacityThroughputChart,
  buildCapacityUslChart,
  buildLatencyDistributionChart,
  buildLatencyOverTimeChart,
  buildPoolChart,
  buildResourcesCpuChart,
  buildResourcesRuntimeChart,
  buildStageTimeChart,
  buildThroughputChart,
  CAPACITY_LATENCY_ID,
  CAPACITY_SCALE_OUT_ID,
  CAPACITY_THROUGHPUT_ID,
  CAPACITY_USL_ID,
  hasBacklog,
  hasCapacitySteps,
  hasEngineStats,
  hasResources,
  hasScaleOut,
  hasSeveralTypes,
  hasStageTimes,
  hasUslPoints,
  LATENCY_DISTRIBUTION_ID,
  LATENCY_OVER_TIME_ID,
  POOL_ID,
  RESOURCES_CPU_ID,
  RESOURCES_RUNTIME_ID,
  STAGE_TIME_ID,
  THROUGHPUT_ID,
} from './builders/index.js';
import type { BuiltChart, ChartDefinition } from './types.js';

const registry = new Map<string, ChartDefinition>();

/** Read-only view of the registry: id -> definition, in registration (= report) order. */
export const chartRegistry: ReadonlyMap<string, ChartDefinition> = registry;

/**
 * Adds a chart kind. Ids are file stems and HTML anchors, so they must be [a-z0-9-] and unique;
 * a clash throws rather than silently replacing someone's chart.
 */
export function registerChart(definition: ChartDefinition): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.id)) {
    throw new Error(`chart id "${definition.id}" must be [a-z0-9-]`);
  }
  if (registry.has(definition.id))
    throw new Error(`chart "${definition.id}" is already registered`);
  registry.set(definition.id, definition);
}

/** The configurations of every registered chart that applies to this result, in order. */
export function buildRunCharts(result: RunResult): BuiltChart[] {
  return [...registry.values()]
    .filter((d) => d.applies(result))
    .map((d) => ({ id: d.id, title: d.title, howToRead: d.howToRead, config: d.build(result) }));
}

const hasTimeseries = (r: RunResult) => r.timeseries.length > 0;

registerChart({
  id: THROUGHPUT_ID,
  title: 'Throughput: offered vs achieved',
  howToRead:
    'Top: transactions the open-loop schedule offered each second (dashed), the answers received (achieved) ' +
    'and the settlements among them. Achieved on top of offered means the engine kept up; achieved flat below ' +
    'a higher offered line is saturation, and the gap is load the engine did not absorb. A dip followed by a ' +
    'catch-up spike is a stall. Dropped sends could not go out within the lateness bound at all. Bottom: ' +
    'rejections per second, stacked by code, each code in the same colour in every chart; the stack height is ' +
    'all rejections that second. A steady band tracks the invalid transactions the workload plants on purpose; ' +
    'a code whose share grows with load (ALREADY_SPENT when spends of one coin race) points at contention. ' +
    'Runs longer than 300 s are drawn in round bins of mean rates.',
  applies: hasTimeseries,
  build: buildThroughputChart,
});

registerChart({
  id: LATENCY_OVER_TIME_ID,
  title: 'Latency percentiles over time',
  howToRead:
    'Per-second percentiles of the corrected latency, measured from the time each request was scheduled to be sent, ' +
    'not from when it actually went out: if the engine stalls, the requests that should have gone out meanwhile are ' +
    'charged the stall (no coordinated omission). Log scale: each gridline band is a factor. The faint dashed line is ' +
    'the uncorrected p99 (from the actual send); where it sits far below the solid p99, requests were queueing before ' +
    'they could be sent, which a closed-loop tool would not show. Spikes shared by all lines are stalls (GC, fsync); ' +
    'a rising p50 is saturation.',
  applies: hasTimeseries,
  build: buildLatencyOverTimeChart,
});

registerChart({
  id: LATENCY_DISTRIBUTION_ID,
  title: 'Latency by percentile',
  howToRead:
    'The whole-run latency distribution. The x axis is 1/(1-p) on a log scale, so 90%, 99%, 99.9% and 99.99% are ' +
    'equally spaced and the tail gets as much room as the median. Read the latency at a percentile straight up ' +
    'from its tick; where the solid (corrected) curve crosses the SLO line, every percentile to the right misses ' +
    'the SLO. The faint dashed curve is the uncorrected service time: the area between the two is time spent ' +
    'waiting to be sent. The curve ends at the maximum, placed at the rank of the slowest sample.',
  applies: (r) => r.latency.spectrum.length > 0 || r.latency.uncorrectedSpectrum.length > 0,
  build: buildLatencyDistributionChart,
});

registerChart({
  id: POOL_ID,
  title: 'Verify pool: queue wait vs verify time',
  howToRead:
    'Inside the engine: how long a signature waited for a verify worker (orange, per signature) and how long the ' +
    'worker took (purple, per batch), p99 solid and p50 dashed, log scale. Wait above verify means the pool is the ' +
    'bottleneck: signatures queue for a free worker, so more threads or larger batches would help. Verify time rising ' +
    'with load means each check got slower: CPU contention with the rest of the engine or the load generator. ' +
    "Each point is the engine's last whole second; results from engines that reported only lifetime figures are " +
    'titled "since the engine started": each point then covers everything before it, so spikes are flattened.',
  applies: hasEngineStats,
  build: buildPoolChart,
});

registerChart({
  id: STAGE_TIME_ID,
  title: 'Where the time goes',
  howToRead:
    'Per second, the mean time a transaction spent in each stage inside the engine, stacked in pipeline order ' +
    '(admission: body read and decoded; verify wait: queued for a verification worker; verify: at the worker until ' +
    'its verdict was released in order; commit: the registry, the single writer; durability: the journal write and ' +
    'fdatasync; respond: writing the answer), so the top of the stack is the mean time inside the engine. The blue ' +
    "line is the client's mean latency, measured from each request's intended send time: the gap between the line " +
    'and the stack is time outside the engine (the network, the client, sends that left late). The thickest band ' +
    'is where to look: verify wait growing means the verification pool is the bottleneck, durability the disk, ' +
    'commit the main thread. Each stage is a mean over the transactions that passed it that second.',
  applies: hasStageTimes,
  build: buildStageTimeChart,
});

registerChart({
  id: RESOURCES_CPU_ID,
  title: 'CPU per process and engine thread',
  howToRead:
    'CPU each second in percent of one core (100% = one core busy): the engine as a whole and by thread (main: ' +
    'HTTP, decoding, registry and journal writes; verify-N: each verification worker; other: libuv I/O threads ' +
    'doing the journal write and fdatasync, V8 GC and compiler helpers), each load generator, and the whole ' +
    'machine (dashed; its top is cores x 100%). A thread pinned near 100% is saturated: the main thread there ' +
    'caps throughput whatever the cores; verification workers near 100% mean more threads (cores) would help; the ' +
    'machine near its top means the processes compete for cores. A generator near 100% measured the driver, not ' +
    'the engine: its send lag rises and the run says so.',
  applies: hasResources,
  build: buildResourcesCpuChart,
});

registerChart({
  id: RESOURCES_RUNTIME_ID,
  title: 'Memory, event-loop delay and GC pauses',
  howToRead:
    'Top: resident memory of each process (MiB); a line that climbs through a steady run is a leak or an ' +
    'unbounded queue. Bottom: per second, how late each process ran its timers (event-loop delay p99, solid) ' +
    'and the time its main thread spent paused in garbage collection (dashed), in ms. Delay spikes shared with ' +
    'latency spikes in the charts above are stalls of that process; GC pauses that grow with load point at ' +
    'allocation on the hot path.',
  applies: hasResources,
  build: buildResourcesRuntimeChart,
});

registerChart({
  id: BACKLOG_ID,
  title: 'Offline backlog and queue depth',
  howToRead:
    'Top: offline payments made on devices and not yet answered by the engine, at the end of each second ' +
    '(made: the scenario model of tap times; answered: measured), with the plan dashed; bottom: the engine queue ' +
    'depth. The backlog grows while devices are offline and drains once they reconnect; the slope of the drain is ' +
    'the sync throughput. Measured above planned means the sync fell behind its schedule; a queue depth pinned ' +
    'high while the backlog drains means the engine sets the drain rate.',
  applies: hasBacklog,
  build: buildBacklogChart,
});

registerChart({
  id: BY_TYPE_ID,
  title: 'Throughput by operation type',
  howToRead:
    'Answers per second of each kind of operation the workload sends: payments (transfer, offline-transfer), ' +
    "wallet openings and red-packet claims, bank top-ups, redemptions and merchants' day-end sweeps, the " +
    'recovery of expired packets (expiry) and its return to the issuance vault, and vault allocations. ' +
    'Each line follows its own schedule: a claim storm opens the run, sweeps spike at each simulated day end, ' +
    'recoveries come after the validity window. A line falling below its schedule while others hold points at ' +
    "the kind of operation the engine served last. Latency per type is in the report's tables.",
  applies: hasSeveralTypes,
  build: buildByTypeChart,
});

registerChart({
  id: CAPACITY_THROUGHPUT_ID,
  title: 'Capacity: achieved vs offered',
  howToRead:
    'One line per ramp (engine setting: verification threads and max batch), one marker per step, offered rate on ' +
    'x and the rate answered on y, warm-up trimmed. On the dashed diagonal the engine keeps up with the open-loop ' +
    'offer; below the dotted keep-up limit (95% of offered unless set otherwise) it does not. A line that bends ' +
    "flat has saturated: its height is the most the engine answered. The diamond is the ramp's elbow: the highest " +
    'step below the first two consecutive failing steps that kept up, met the p99 SLO and stayed under 1% errors. ' +
    'An elbow below the bend means latency or errors failed first (see the next chart). Compare the lines to see ' +
    'what a second thread or a larger batch buys.',
  applies: hasCapacitySteps,
  build: buildCapacityThroughputChart,
});

registerChart({
  id: CAPACITY_LATENCY_ID,
  title: 'Capacity: p99 latency vs throughput',
  howToRead:
    'The same steps, placed by the rate answered (x) and the p99 of their corrected latency (y, log scale, from the ' +
    'intended send time). Read it as a hockey stick: flat while the engine has spare capacity, turning up sharply ' +
    'as queues form near saturation. Where a line crosses the dashed SLO line is the rate at which latency limits ' +
    'capacity; points that fold back to the left (higher p99 at lower answered rate) are overload steps past the ' +
    'collapse. The diamonds are the elbows of the previous chart.',
  applies: hasCapacitySteps,
  build: buildCapacityLatencyChart,
});

registerChart({
  id: CAPACITY_USL_ID,
  title: 'Capacity: USL fit over verification threads',
  howToRead:
    "Dots: the settled rate at each ramp's elbow against its verification threads N, one colour per max batch. " +
    'Solid or dashed curve: the Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)) fitted to the dots; ' +
    'faint dotted: linear scaling λN. The gap between the two is what serialisation (σ) and cross-core ' +
    'coordination (κ) cost. The curve is dashed, and the legend says untrustworthy, when it rests on fewer than 4 ' +
    'distinct N: a 2-core machine gives N = 1 and 2 only, and any σ and κ with the same σ + 2κ fit those exactly, so ' +
    'beyond the dots the curve is one guess among many. Fit on a machine with more cores before trusting its shape.',
  applies: hasUslPoints,
  build: buildCapacityUslChart,
});

registerChart({
  id: CAPACITY_SCALE_OUT_ID,
  title: 'Capacity: scale-out over engine nodes',
  howToRead:
    "Engine nodes sharing one PostgreSQL database (x) against the settled rate at each node count's elbow (dots, " +
    'left axis) and the p99 of that elbow step (squares, dashed, right axis): the scale-out chart OpenCBDC ' +
    'publishes for its architectures. The curve is the Universal Scalability Law fitted over the node counts ' +
    '(dashed when the fit rests on too few points to trust); the faint dotted line is one node times N, perfect ' +
    'scaling. The second subtitle line says what bounds the curve on the measured machine: when every node, the ' +
    "database and the load generator share one machine's cores, more nodes divide the same CPU and the curve " +
    'flattens at what the machine can do, which says nothing yet about more machines.',
  applies: hasScaleOut,
  build: buildCapacityScaleOutChart,
});
