import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RESERVED_PORTS, parseAgentConfig } from './agent-config.js';

describe('the ECS agent configuration user data writes', () => {
  it('reads the tutorials\' echo form, quoted or not, and the last assignment wins', () => {
    const c = parseAgentConfig([
      '#!/bin/bash',
      'echo ECS_CLUSTER=first >> /etc/ecs/ecs.config',
      'echo "ECS_CLUSTER=my-cluster" >> /etc/ecs/ecs.config',
      `echo 'ECS_INSTANCE_ATTRIBUTES={"stack":"prod","tier":"web"}' >> /etc/ecs/ecs.config`,
      'echo ECS_CONTAINER_INSTANCE_TAGS=\'{"team":"a"}\' >> /etc/ecs/ecs.config',
      'echo ECS_RESERVED_MEMORY=256 >> /etc/ecs/ecs.config',
      'echo ECS_ENABLE_TASK_IAM_ROLE=true > /tmp/other',
    ].join('\n'));
    assert.equal(c.cluster, 'my-cluster');
    assert.deepEqual(c.attributes, { stack: 'prod', tier: 'web' });
    assert.deepEqual(c.tags, { team: 'a' });
    assert.equal(c.reservedMemory, 256);
    assert.deepEqual(c.reservedPorts, DEFAULT_RESERVED_PORTS);
    assert.deepEqual(c.problems, []);
  });

  it('reads a heredoc and cloud-init write_files; no ECS_CLUSTER leaves the cluster unset (the agent then uses default)', () => {
    const heredoc = parseAgentConfig("#!/bin/bash\ncat <<'EOF' >> /etc/ecs/ecs.config\nECS_CLUSTER=from-heredoc\nECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance\nEOF\n");
    assert.equal(heredoc.cluster, 'from-heredoc');
    assert.equal(heredoc.propagateTagsFromInstance, true);
    const cloud = parseAgentConfig('#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    content: |\n      ECS_CLUSTER=cloudy\n      ECS_RESERVED_PORTS=[22]\n');
    assert.equal(cloud.cluster, 'cloudy');
    assert.deepEqual(cloud.reservedPorts, [22]);
    assert.equal(parseAgentConfig('#!/bin/bash\nyum update -y\n').cluster, undefined);
  });

  it('reads each part of a MIME multi-part document, base64 parts decoded', () => {
    const script = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=mime >> /etc/ecs/ecs.config\n').toString('base64');
    const doc = [
      'Content-Type: multipart/mixed; boundary="==B=="', 'MIME-Version: 1.0', '',
      '--==B==', 'Content-Type: text/cloud-config', '', 'packages: []', '',
      '--==B==', 'Content-Type: text/x-shellscript', 'Content-Transfer-Encoding: base64', '', script, '',
      '--==B==--', '',
    ].join('\n');
    assert.equal(parseAgentConfig(doc).cluster, 'mime');
  });

  it('reports an attribute list that is not JSON, and uses none of it', () => {
    const c = parseAgentConfig('echo ECS_INSTANCE_ATTRIBUTES=stack=prod >> /etc/ecs/ecs.config');
    assert.deepEqual(c.attributes, {});
    assert.match(c.problems[0], /ECS_INSTANCE_ATTRIBUTES is not a JSON object/);
  });
});
