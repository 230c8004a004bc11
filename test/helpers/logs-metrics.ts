/**
 * The datapoints CloudWatch Logs metric filters emitted, read the way CloudWatch
 * reads them (the Logs store's front door), from a running Berth's state.db
 * opened read-only beside it (WAL lets a reader in while Berth writes).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Statements } from '../../src/state/db.js';
import { metricDatapointsFromFilters, type DatapointQuery, type MetricDatapoint } from '../../src/services/logs/store.js';

export function datapointsIn(dataDir: string, q: Omit<DatapointQuery, 'account' | 'region'> & Partial<DatapointQuery>): MetricDatapoint[] {
  const db = new Database(join(dataDir, 'state.db'), { readonly: true });
  try {
    return metricDatapointsFromFilters(new Statements(db), { account: '000000000000', region: 'us-east-1', ...q });
  } finally {
    db.close();
  }
}
