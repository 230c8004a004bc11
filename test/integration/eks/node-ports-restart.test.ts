/**
 * EKS node ports survive a crash: the sockets are not state, the Services are; a Berth restarted on the same data
 * directory (after a SIGKILL) listens on the NodePort Service's node port again, at 127.0.0.1, from its Services.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { berthsOnOneDataDir, clientConfig } from '../../helpers/berth.js';
import { createKubeCluster, until } from '../../helpers/kubectl.js';

const isFree = (port: number) => new Promise<boolean>((ok) => {
  const s = net.createServer().once('error', () => ok(false));
  s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => ok(true)));
});

/** Whether a connection to 127.0.0.1:port is accepted (a node port with no ready endpoint accepts, then resets). */
const accepts = (port: number) => new Promise<boolean>((ok) => {
  const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); ok(true); });
  s.setTimeout(3_000, () => { s.destroy(); ok(false); });
  s.on('error', () => ok(false));
});

describe('EKS node ports across a SIGKILL', () => {
  const berths = berthsOnOneDataDir('eks-node-ports');

  it('a restarted Berth listens on a NodePort Service\'s node port again', async (t) => {
    let nodePort = 0;
    for (let i = 0; i < 5 && !nodePort; i++) {
      const p = 31000 + Math.floor(Math.random() * 900);
      if (await isFree(p)) nodePort = p;
    }
    if (!nodePort) {
      t.skip('no free port found in 31000–31899 on 127.0.0.1 (five tries)');
      return;
    }
    const first = await berths.start();
    const ec2 = new EC2Client(clientConfig(first.endpoint));
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    ec2.destroy();
    const k = await createKubeCluster(first.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!));
    try {
      await k.apply(`apiVersion: v1
kind: Service
metadata: {name: np}
spec:
  type: NodePort
  selector: {app: np}
  ports: [{port: 80, nodePort: ${nodePort}}]
`);
      await until('the node port listening', async () => (await accepts(nodePort)) || undefined, 20_000, 100);
      await first.kill9();
      assert.equal(await accepts(nodePort), false, 'nothing listens once Berth is gone');

      await berths.start();
      await until('the node port listening after the restart', async () => (await accepts(nodePort)) || undefined, 20_000, 100);
    } finally {
      k.cleanup();
    }
  });
});
