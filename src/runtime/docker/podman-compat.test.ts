import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBody, PODMAN_DEFAULT_ULIMITS, stateFromInspect } from './container-config.js';
import { isLoopbackRegistry } from './driver.js';
import { errorFor } from './engine-client.js';

const spec = { name: 'c', image: 'i', labels: {}, networkMode: 'bridge' };
const ulimitsOf = (body: Record<string, unknown>) => (body.HostConfig as { Ulimits?: { Name: string; Soft: number; Hard: number }[] }).Ulimits;

describe('the Docker driver on a Podman engine', () => {
  it('gives containers nofile and nproc limits unless the task sets them (Docker: none, the engine\'s own)', () => {
    assert.equal(ulimitsOf(createBody(spec, 'docker')), undefined);
    assert.deepEqual(ulimitsOf(createBody(spec, 'podman'))?.map((u) => u.Name), PODMAN_DEFAULT_ULIMITS.map((u) => u.name));
    const own = ulimitsOf(createBody({ ...spec, ulimits: [{ name: 'nofile', softLimit: 65535, hardLimit: 65535 }] }, 'podman'));
    assert.deepEqual(own, [{ Name: 'nofile', Soft: 65535, Hard: 65535 }, { Name: 'nproc', Soft: 4096, Hard: 4096 }]);
  });

  it('treats registries on loopback as Docker does (plain HTTP), and no others', () => {
    for (const ref of ['127.0.0.1:4566/000000000000/us-east-1/app:1', 'localhost:5000/app', '[::1]:5000/a/b', '127.1.2.3/x']) assert.equal(isLoopbackRegistry(ref), true, ref);
    for (const ref of ['busybox', 'library/busybox:1', 'berth-test/busybox:2', 'quay.io/x/y', '000000000000.dkr.ecr.us-east-1.amazonaws.com/app', 'localhostx/a']) {
      assert.equal(isLoopbackRegistry(ref), false, ref);
    }
  });

  it('reads Podman\'s 500 for a container name in use as a Conflict, and not a port in use', () => {
    const body = (message: string) => Buffer.from(JSON.stringify({ cause: 'that name is already in use', message, response: 500 }));
    assert.equal(errorFor(500, body('creating container storage: the container name "x" is already in use by 1d90. You have to remove that container to be able to reuse that name: that name is already in use')).code, 'Conflict');
    assert.equal(errorFor(500, body('rootlessport listen tcp 127.0.0.1:80: bind: address already in use')).code, 'Unavailable');
  });

  it('reads Podman\'s `stopped` (exited, not yet cleaned up) as exited with its exit code, and `configured` as created', () => {
    const inspect = (Status: string, ExitCode = 0) => stateFromInspect({ Id: 'x', Name: '/c', State: { Status, ExitCode, StartedAt: '2026-12-07T10:00:00Z', FinishedAt: '2026-12-07T10:00:01Z' } });
    assert.deepEqual([inspect('stopped', 3).status, inspect('stopped', 3).exitCode], ['exited', 3]);
    assert.equal(inspect('configured').status, 'created');
    assert.equal(inspect('configured').exitCode, undefined);
    assert.deepEqual([inspect('exited', 1).status, inspect('exited', 1).exitCode], ['exited', 1]);
  });
});
