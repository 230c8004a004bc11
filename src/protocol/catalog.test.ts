import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES } from './catalog.js';
import { loadModel } from './model.js';

describe('service catalog', () => {
  for (const entry of SERVICES) {
    it(`${entry.id}: routing facts match what ${entry.sdkPackage} itself sends`, () => {
      const model = loadModel(entry.id);
      assert.ok(model.operations.size > 0, 'the model declares operations');
      if (entry.targetPrefix) assert.equal(model.serviceTarget, entry.targetPrefix);
      assert.equal(model.version, entry.apiVersion);
      if (entry.protocol === 'awsQuery' || entry.protocol === 'ec2Query' || entry.protocol === 'restXml') {
        assert.ok(model.xmlNamespace, 'XML protocols need the xml namespace');
      }
      if (entry.protocol === 'restJson1' || entry.protocol === 'restXml') {
        for (const op of model.operations.values()) assert.ok(op.http, `${op.name} has an HTTP binding`);
      }
    });
  }

  it('SQS and CloudWatch are JSON services that also speak awsQuery', () => {
    assert.equal(loadModel('sqs').queryCompatible, true);
    assert.equal(loadModel('cloudwatch').queryCompatible, true);
    assert.equal(loadModel('ecs').queryCompatible, false);
  });
});
