/** A provider's RequestContext over a fresh in-memory database, for unit tests that call operations directly. */
import { ManualClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { openDb, Statements } from '../../src/state/db.js';
import type { RequestContext } from '../../src/services/provider.js';

/** Account 000000000000 in us-east-1 on a manual clock; `published` collects what `ctx.changed` was told. */
export function providerContext(): RequestContext & { published: string[]; clock: ManualClock } {
  const db = openDb(':memory:');
  const published: string[] = [];
  return {
    account: '000000000000', region: 'us-east-1', requestId: 'r', principalArn: 'arn:aws:iam::000000000000:root',
    accessKeyId: 'test', db, sql: new Statements(db), clock: new ManualClock(), log: createLogger('silent'),
    changed: (kind, key) => published.push(`${kind} ${key}`), published,
  };
}
