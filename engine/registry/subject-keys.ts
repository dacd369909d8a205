/**
 * Registration-key verdicts computed off the main thread. An `enroll` or `open` registers a new
 * public key, and its registration check (engine/crypto `isAcceptablePublicKey`) is, for Ed25519,
 * a scalar multiplication of ~2 ms in JavaScript: on the main thread it made every wallet opening
 * cost more than a whole payment. So the pipeline has the verification pool run the check beside
 * the signature and records the verdict here, keyed by the decoded transaction's own subject
 * object; the stores read it and run the check themselves only when none was recorded (journal
 * replay, in-process callers). A WeakMap: a verdict lives exactly as long as its transaction, and
 * nothing from the wire can reach it.
 */
import type { Subject } from '../domain/index.js';

const verdicts = new WeakMap<Subject, boolean>();

/** Records the verification pool's verdict on `subject.key` (true: acceptable). */
export function recordSubjectKeyVerdict(subject: Subject, acceptable: boolean): void {
  verdicts.set(subject, acceptable);
}

/** The recorded verdict on `subject.key`, else `check` run on its bytes now. */
export function subjectKeyAcceptable(
  subject: Subject,
  check: (key: Uint8Array) => boolean,
): boolean {
  return verdicts.get(subject) ?? check(Buffer.from(subject.key, 'hex'));
}
