/**
 * The CLI's exit status follows an error's kind: every user-visible error class carries a code
 * and a kind, and an input error exits 2 with its message alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CapacityPlanError, CapacityRunError } from '../../../capacity/index.js';
import { UsageError } from '../../../cli/commands/args.js';
import { CoordinatorError } from '../../../coordinator/index.js';
import { type CodedError, isCodedError } from '../../../engine/domain/index.js';
import { JournalCorruptError } from '../../../engine/journal/index.js';
import { ConfigError, RecoveryError } from '../../../engine/service/index.js';
import { GateTrialError } from '../../../gate/index.js';
import { HistoryError } from '../../../history/index.js';
import { DriverError, GenesisMismatchError } from '../../../load/index.js';
import { MergeError, ResultFileError } from '../../../result-format/index.js';
import {
  EngineMismatchError,
  EngineOptionsError,
  EngineStartError,
  EngineUnreachableError,
  TargetError,
} from '../../../runner/index.js';
import { UnknownScenarioError } from '../../../scenarios/catalog/index.js';
import { ScenarioConfigError } from '../../../scenarios/model/index.js';
import { WorkloadFormatError, WorkloadGenerationError } from '../../../scenarios/workload/index.js';
import { ThresholdError } from '../../../thresholds/index.js';

const CLI = fileURLToPath(new URL('../../../cli/main.js', import.meta.url));

test('every user-visible error class has a code and a kind, and a name of its own', () => {
  const cases: [CodedError, string, 'input' | 'failure'][] = [
    [new UsageError('x'), 'USAGE', 'input'],
    [new ConfigError('x'), 'BAD_CONFIG', 'input'],
    [new UnknownScenarioError('nowhere'), 'UNKNOWN_SCENARIO', 'input'],
    [new ScenarioConfigError([]), 'BAD_SCENARIO', 'input'],
    [new WorkloadFormatError('x'), 'BAD_WORKLOAD_FILE', 'input'],
    [new ResultFileError('x'), 'BAD_RESULT_FILE', 'input'],
    [new MergeError('x'), 'MERGE_INCOMPATIBLE', 'input'],
    [new CapacityPlanError('x'), 'CAPACITY_BAD_PLAN', 'input'],
    [new DriverError('DRIVER_BAD_OPTIONS', 'x'), 'DRIVER_BAD_OPTIONS', 'input'],
    [new DriverError('DRIVER_START_IN_PAST', 'x'), 'DRIVER_START_IN_PAST', 'input'],
    [new DriverError('DRIVER_GENERATOR_FAILED', 'x'), 'DRIVER_GENERATOR_FAILED', 'failure'],
    [new GenesisMismatchError(1, 'open', 'SETTLED', 'x'), 'DRIVER_GENESIS_MISMATCH', 'failure'],
    [new EngineStartError('x'), 'ENGINE_START_FAILED', 'failure'],
    [new EngineMismatchError('x'), 'ENGINE_MISMATCH', 'input'],
    [new JournalCorruptError('x', 16, 0, 1), 'JOURNAL_CORRUPT', 'failure'],
    [new EngineUnreachableError('x'), 'ENGINE_UNREACHABLE', 'failure'],
    [new EngineOptionsError('x'), 'ENGINE_BAD_OPTIONS', 'input'],
    [new TargetError('x'), 'BAD_TARGET', 'input'],
    [new ThresholdError([]), 'BAD_THRESHOLD', 'input'],
    [new HistoryError('x'), 'BAD_HISTORY', 'input'],
    [new WorkloadGenerationError('x'), 'WORKLOAD_GENERATION', 'failure'],
    [new CapacityRunError('x'), 'CAPACITY_RUN_FAILED', 'failure'],
    [new GateTrialError('x'), 'GATE_TRIAL_FAILED', 'failure'],
    [new RecoveryError('x'), 'RECOVERY_FAILED', 'failure'],
    [new CoordinatorError('COORDINATOR_BAD_OPTIONS', 'x'), 'COORDINATOR_BAD_OPTIONS', 'input'],
    [new CoordinatorError('COORDINATOR_UNREACHABLE', 'x'), 'COORDINATOR_UNREACHABLE', 'failure'],
    [new CoordinatorError('COORDINATOR_REFUSED', 'x'), 'COORDINATOR_REFUSED', 'failure'],
    [new CoordinatorError('COORDINATOR_RUN_FAILED', 'x'), 'COORDINATOR_RUN_FAILED', 'failure'],
    [
      new CoordinatorError('COORDINATOR_START_UNBOUNDED', 'x'),
      'COORDINATOR_START_UNBOUNDED',
      'failure',
    ],
  ];
  for (const [error, code, kind] of cases) {
    assert.equal(error.code, code);
    assert.equal(error.kind, kind, code);
    assert.ok(isCodedError(error, kind), code);
    assert.equal(isCodedError(error, kind === 'input' ? 'failure' : 'input'), false, code);
    assert.equal(error.name, error.constructor.name, code);
  }
  assert.equal(isCodedError(new Error('plain')), false);
});

test('an input error exits 2 with its message and no stack', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', 'xiongan-retail', '--scale', 'galactic'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^ecny-bench run: --scale must be one of/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
