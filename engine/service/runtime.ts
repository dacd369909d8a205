/**
 * V8 flags the engine process runs with (`npm start`, the scenario runner's engine child, and
 * `bench:engine`, which re-runs itself with them so it measures the engine as deployed).
 *
 * A 64 MiB semi-space young generation (V8's default tops out at 16 MiB): the engine keeps up to
 * `maxInflight` transactions, their answers and the registry's newest coins alive across every
 * scavenge, and each scavenge copies that live set. A larger nursery scavenges about four times
 * less often, which bench:engine measured as ~3 µs less main-thread CPU per settled transaction
 * (and less work for V8's helper threads). Cost: the young generation may grow to 192 MiB
 * (3 × semi-space) instead of 48 MiB.
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** True when this process already runs with every flag of ENGINE_NODE_FLAGS. */
export function hasEngineNodeFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return ENGINE_NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
