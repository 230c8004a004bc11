/**
 * cloudformation-stacks: converges one CloudFormation stack (key = account/region/stack id) with its requested
 * operation. A stack in a *_IN_PROGRESS state has its resources created, updated or deleted in dependency order
 * (independent ones concurrently) through each service's own operations (the internal door), rolls back on a
 * failure and settles in its *_COMPLETE or *_FAILED state; resources that wait to stabilise (an ECS service reaching
 * its desired count) requeue the stack. The engine itself is CloudFormation's (services/cloudformation/index.ts).
 */
import type { Invoke } from '../services/provider.js';
import { unsettledStackKeys } from '../services/cloudformation/store.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface CloudFormationDeps extends StateDeps {
  invoke: Invoke;
}

/** Stacks in progress are looked for this often (a restart resumes them; the change feed wakes them otherwise). */
const RESYNC_MS = 10_000;

export class CloudFormationStacks implements Controller {
  readonly name = 'cloudformation-stacks';
  readonly concurrency = 4;

  readonly watches: Watches = {
    changes: [{ kind: 'cloudformation.stack' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => unsettledStackKeys(this.d.sql) }],
  };

  /** The engine and its resource types, loaded on the first stack's pass: a Berth without stacks never loads them. */
  private engine?: Promise<typeof import('../services/cloudformation/index.js')>;

  constructor(private readonly d: CloudFormationDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    this.engine ??= import('../services/cloudformation/index.js');
    const next = await (await this.engine).advanceStack(this.d, key);
    return next === undefined ? undefined : { requeueAfterMs: next };
  }
}
