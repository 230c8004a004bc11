/**
 * The Docker Engine API driver against Podman's Docker-compatible socket: a
 * private `podman system service` started for this file (skipped, saying why,
 * where Podman cannot run).
 */
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { engineEndpoint } from '../../src/runtime/docker/engine-client.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { podmanUnavailable, startPodman, type TestPodman } from '../helpers/podman.js';
import { runtimeDriverConformance } from './runtime-driver.js';

const skip = podmanUnavailable();
let podman: TestPodman | undefined;

runtimeDriverConformance('docker driver on podman', async () => {
  podman = await startPodman();
  return new DockerDriver(engineEndpoint(podman.url));
}, {
  image: skip ? '' : ensureBusyboxImage(),
  realProcesses: true,
  knownGaps: {
    // conmon writes its "oom" marker into the service's working directory, where Podman never looks.
    oomKilled: 'Podman 4.3 with conmon 2.1 on cgroup v1 reports State.OOMKilled=false (the exit code is 137)',
  },
  skip,
  cleanup: async () => podman?.stop(),
});
