/** CloudWatch: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import { getMetricData } from './metric-data.js';
import { getMetricStatistics, listMetrics, putMetricData } from './metrics.js';

export const provider: Provider = {
  putMetricData,
  getMetricStatistics,
  getMetricData,
  listMetrics,
};
