/** A growing PlannedOps: one push per signed operation. */
import type { Expected, PlannedOps } from './types.js';

/** PlannedOps that grow by `push`. */
export class OpList implements PlannedOps {
  readonly bodies: string[] = [];
  readonly expected: Expected[] = [];
  readonly at: number[] = [];
  readonly dependsOn: number[] = [];
  readonly lane: number[] = [];
  readonly type: string[] = [];
  readonly channel: string[] = [];

  get length(): number {
    return this.bodies.length;
  }

  /** Appends one op and returns its index. */
  push(
    body: string,
    expected: Expected,
    at: number,
    dependsOn: number,
    lane: number,
    type: string,
    channel = '',
  ): number {
    this.bodies.push(body);
    this.expected.push(expected);
    this.at.push(at);
    this.dependsOn.push(dependsOn);
    this.lane.push(lane);
    this.type.push(type);
    this.channel.push(channel);
    return this.bodies.length - 1;
  }
}
