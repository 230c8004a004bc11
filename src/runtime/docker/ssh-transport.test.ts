import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { engineEndpoint } from './engine-client.js';
import { parseSshUrl, sshArgs, sshOptionsFromEnv } from './ssh-transport.js';

describe('ssh:// engine URLs', () => {
  it('read user, port and an engine socket path from the URL', () => {
    assert.deepEqual(parseSshUrl('ssh://deploy@edge-1.example:2222/run/podman/podman.sock', []), {
      host: 'edge-1.example', user: 'deploy', port: 2222, socket: '/run/podman/podman.sock', options: [],
    });
    assert.deepEqual(parseSshUrl('ssh://[::1]', ['-i', 'k']), { host: '::1', options: ['-i', 'k'] });
  });

  it('become one ssh per connection running `docker system dial-stdio`, never prompting', () => {
    const tail = ['-i', '/k', '-p', '2222', '-l', 'deploy', '--', 'edge', 'docker', 'system', 'dial-stdio'];
    assert.deepEqual(sshArgs(parseSshUrl('ssh://deploy@edge:2222', ['-i', '/k'])).slice(-tail.length), tail);
    const args = sshArgs(parseSshUrl('ssh://edge/run/podman/podman.sock', []));
    assert.ok(args.includes('BatchMode=yes'));
    assert.deepEqual(args.slice(args.indexOf('--')), ['--', 'edge', 'docker', '--host', 'unix:///run/podman/podman.sock', 'system', 'dial-stdio']);
  });

  it('take BERTH_SSH_OPTIONS split as a shell splits words', () => {
    assert.deepEqual(sshOptionsFromEnv(`-i "/keys/my key" -o 'ProxyJump=bastion'  -oUser=x -o"A B"`), ['-i', '/keys/my key', '-o', 'ProxyJump=bastion', '-oUser=x', '-oA B']);
    assert.deepEqual(sshOptionsFromEnv(undefined), []);
  });

  it('refuse passwords, and engine URLs of schemes Berth does not speak', () => {
    assert.throws(() => engineEndpoint('ssh://root:secret@host'), /no password/);
    assert.throws(() => engineEndpoint('npipe:////./pipe/docker_engine'), /unsupported container engine URL/);
    assert.deepEqual(engineEndpoint('tcp://[::1]:2375'), { host: '::1', port: 2375 });
    assert.deepEqual(engineEndpoint('unix:///run/x.sock'), { socketPath: '/run/x.sock' });
  });
});
