/** ECS: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import * as clusters from './clusters.js';

export const provider: Provider = {
  createCluster: clusters.createCluster,
  describeClusters: clusters.describeClusters,
  listClusters: clusters.listClusters,
  updateCluster: clusters.updateCluster,
  updateClusterSettings: clusters.updateClusterSettings,
  putClusterCapacityProviders: clusters.putClusterCapacityProviders,
  deleteCluster: clusters.deleteCluster,
};
