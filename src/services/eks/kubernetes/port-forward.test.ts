import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from './objects.js';
import { publishedAddress } from './port-forward.js';

const pod = (published: Record<string, string> | string, ports: unknown[] = [{ containerPort: 8080 }]): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', annotations: { 'eks.berth.dev/published-ports': typeof published === 'string' ? published : JSON.stringify(published) } },
  spec: { containers: [{ name: 'main', image: 'x', ports }] },
} as KubeObject);

describe('port-forward: where a pod port is reached', () => {
  it('a declared TCP port goes to the loopback address the kubelet published for it', () => {
    assert.deepEqual(publishedAddress(pod({ '8080/TCP': '127.0.0.1:49153' }), 8080), { host: '127.0.0.1', port: 49153 });
    assert.deepEqual(publishedAddress(pod({ '8080/TCP': '[::1]:49153' }), 8080), { host: '::1', port: 49153 });
  });

  it('an undeclared port, a UDP one, or a declared one not published yet has no address', () => {
    assert.equal(publishedAddress(pod({ '8080/TCP': '127.0.0.1:49153' }), 9999), undefined);
    assert.equal(publishedAddress(pod({ '53/TCP': '127.0.0.1:49153' }, [{ containerPort: 53, protocol: 'UDP' }]), 53), undefined);
    assert.equal(publishedAddress(pod({}), 8080), undefined);
    assert.equal(publishedAddress(pod('not json'), 8080), undefined);
  });

  it('an address in the annotation that is not loopback (someone edited it) is never a destination', () => {
    assert.equal(publishedAddress(pod({ '8080/TCP': '10.0.0.5:8080' }), 8080), undefined);
    assert.equal(publishedAddress(pod({ '8080/TCP': '169.254.169.254:80' }), 8080), undefined);
  });
});
