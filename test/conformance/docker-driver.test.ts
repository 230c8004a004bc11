import { execFileSync } from 'node:child_process';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { runtimeDriverConformance } from './runtime-driver.js';

runtimeDriverConformance('docker', async () => new DockerDriver(), {
  image: ensureBusyboxImage(),
  realProcesses: true,
  cleanup: async ({ images }) => {
    if (images.length) execFileSync('docker', ['image', 'rm', '--force', ...images], { stdio: 'ignore' });
  },
});
