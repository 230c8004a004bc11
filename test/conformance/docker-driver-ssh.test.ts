/**
 * The Docker Engine API driver over ssh:// (a private sshd on 127.0.0.1 whose
 * `docker system dial-stdio` reaches this machine's engine): the conformance
 * suite, then what is particular to the transport (failures reported as
 * Unavailable with ssh's reason, hijacked streams, no ssh left behind).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { RuntimeError } from '../../src/runtime/driver.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { engineEndpoint } from '../../src/runtime/docker/engine-client.js';
import { parseSshUrl, SshAgent, sshOptionsFromEnv } from '../../src/runtime/docker/ssh-transport.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { freePort, sshdUnavailable, startSshd, type TestSshd } from '../helpers/sshd.js';
import { runtimeDriverConformance } from './runtime-driver.js';

const skip = sshdUnavailable();
let sshd: TestSshd | undefined;

runtimeDriverConformance('docker over ssh', async () => {
  sshd = await startSshd();
  return new DockerDriver(engineEndpoint(sshd.url, sshOptionsFromEnv(sshd.sshOptions)));
}, {
  image: skip ? '' : ensureBusyboxImage(),
  realProcesses: true,
  skip,
  cleanup: async ({ images }) => {
    if (images.length) execFileSync('docker', ['image', 'rm', '--force', ...images], { stdio: 'ignore' });
    await sshd?.stop();
  },
});

/** ssh children of this process (each connection is one). */
function sshChildren(): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-x', '-P', String(process.pid), 'ssh'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function rejectsUnavailable(p: Promise<unknown>, reason: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RuntimeError, `a RuntimeError, not ${String(e)}`);
    assert.equal(e.code, 'Unavailable');
    assert.match(e.message, reason);
    return true;
  });
}

describe('the ssh:// engine transport', { skip: skip ?? false }, () => {
  let good: TestSshd;
  let noDocker: TestSshd;

  before(async () => {
    ensureBusyboxImage();
    good = await startSshd();
    // A host where the docker CLI is not installed (not on the login's PATH).
    noDocker = await startSshd({ forceCommand: 'PATH=/nonexistent; docker system dial-stdio' });
  });
  after(async () => {
    await good?.stop();
    await noDocker?.stop();
  });

  const driverFor = (url: string, options: string) => new DockerDriver(engineEndpoint(url, sshOptionsFromEnv(options)));

  it('a host that does not answer is Unavailable, with ssh\'s reason', async () => {
    const d = driverFor(`ssh://root@127.0.0.1:${await freePort()}`, good.sshOptions);
    try {
      await rejectsUnavailable(d.ping(), /ssh:\/\/root@127\.0\.0\.1:\d+.*Connection refused/);
    } finally {
      d.close();
    }
  });

  it('a key the host does not accept is Unavailable, with ssh\'s reason', async () => {
    // The other sshd's client key, which this one does not authorize.
    const config = join(good.dir, 'wrong_key_config');
    writeFileSync(config, `Host *\n  IdentityFile ${join(noDocker.dir, 'client_key')}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${join(good.dir, 'known_hosts')}\n`);
    const d = driverFor(good.url, `-F ${config}`);
    try {
      await rejectsUnavailable(d.ping(), /Permission denied \(publickey\)/);
    } finally {
      d.close();
    }
  });

  it('a host without the docker CLI is Unavailable, saying the command was not found', async () => {
    const d = driverFor(noDocker.url, noDocker.sshOptions);
    try {
      await rejectsUnavailable(d.ping(), /remote command was not found.*docker.*not found/);
    } finally {
      d.close();
    }
  });

  it('carries a hijacked attach stream both ways', async () => {
    const driver = driverFor(good.url, good.sshOptions);
    const agent = new SshAgent(parseSshUrl(good.url, sshOptionsFromEnv(good.sshOptions)));
    let id = '';
    try {
      // `docker run -i … cat`: a container whose stdin stays open for attach.
      ({ Id: id } = await driver.client.json<{ Id: string }>('POST', `/containers/create?name=berth-ssh-attach-${process.pid}`, {
        Image: ensureBusyboxImage(), Cmd: ['cat'], OpenStdin: true, AttachStdin: true, AttachStdout: true,
        Labels: { 'berth.conformance': 'ssh-attach' }, HostConfig: { NetworkMode: 'none' },
      }));
      const socket = await new Promise<Duplex>((resolve, reject) => {
        const req = http.request({
          agent, host: 'docker', method: 'POST', path: `/v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1`,
          headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
        });
        req.on('upgrade', (_res, sock) => resolve(sock));
        req.on('response', (res) => reject(new Error(`attach answered ${res.statusCode}`)));
        req.on('error', reject);
        req.end();
      });
      await driver.startContainer(id);
      let echoed = '';
      socket.on('data', (c: Buffer) => (echoed += c.toString('latin1')));
      socket.write('over ssh\n');
      for (let i = 0; i < 100 && !echoed.includes('over ssh'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(echoed, /over ssh/);
      socket.destroy();
    } finally {
      if (id) await driver.removeContainer(id);
      agent.destroy();
      driver.close();
    }
  });

  it('reuses one ssh connection for sequential requests, without piling up listeners on it', async () => {
    const d = driverFor(good.url, good.sshOptions);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 30; i++) await d.ping();
      assert.equal(sshChildren().length, 1);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      d.close();
    }
  });

  it('leaves no ssh process behind once streams end and the driver is closed', async () => {
    const d = driverFor(good.url, good.sshOptions);
    const stopEvents = d.watchEvents({ 'berth.conformance': 'ssh-children' }, () => {});
    await d.ping();
    await Promise.all([d.ping(), d.listContainers({ 'berth.conformance': 'ssh-children' }), d.hostAddressForContainers()]);
    assert.ok(sshChildren().length >= 2, 'one ssh per open connection');
    stopEvents();
    d.close();
    for (let i = 0; i < 50 && sshChildren().length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sshChildren(), []);
  });
});
