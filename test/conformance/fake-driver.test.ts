import { FakeDriver } from '../../src/runtime/fake/driver.js';
import { runtimeDriverConformance } from './runtime-driver.js';

runtimeDriverConformance('fake', async () => new FakeDriver(['berth-test/busybox:latest']), {
  image: 'berth-test/busybox:latest',
  exitWith: async (driver, id, code) => (driver as FakeDriver).exit(id, code),
});
