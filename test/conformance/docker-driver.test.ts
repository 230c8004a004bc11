import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { runtimeDriverConformance } from './runtime-driver.js';

runtimeDriverConformance('docker', async () => new DockerDriver(), { image: ensureBusyboxImage() });
