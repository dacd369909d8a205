/**
 * The exit statuses of every command (docs/cli.md, "Exit codes"), in one place. An error's exit
 * status follows its kind (engine/domain CodedError): `input` 2, `failure` 3. Signals add 130
 * (SIGINT) and 143 (SIGTERM): see lifecycle/.
 */
export const EXIT = {
  /** Success: checks passed, every threshold passed (gate: no regression). */
  ok: 0,
  /** Completed, but a correctness check failed (mismatch, loss, drops, books; gate: regression). */
  failed: 1,
  /** Unusable input: flags, scenario, thresholds, files, engine options (kind `input`). */
  usage: 2,
  /** The run could not be carried out: engine unreachable or not starting, a generator failed (kind `failure`). */
  notRun: 3,
  /** Completed and correct, but at least one threshold was crossed (k6's 99). */
  thresholds: 99,
} as const;
