import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { md5Hex, md5OfAttributes } from './md5.js';

describe('SQS message digests', () => {
  it('the body digest is the MD5 of its UTF-8 bytes', () => {
    assert.equal(md5Hex('hello'), '5d41402abc4b2a76b9719d911017c592');
  });
  it('attributes digest: sorted by name, length-prefixed, with the transport byte ', () => {
    // name "a", type "String", value "b": 00000001 61 | 00000006 537472696e67 | 01 | 00000001 62
    const expected = md5Hex(Buffer.from('00000001' + '61' + '00000006' + '537472696e67' + '01' + '00000001' + '62', 'hex'));
    assert.equal(md5OfAttributes({ a: { DataType: 'String', StringValue: 'b' } }), expected);
    assert.equal(md5OfAttributes({}), undefined);
    const two = md5OfAttributes({ z: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2]).toString('base64') }, a: { DataType: 'Number', StringValue: '1' } });
    const manual = md5Hex(Buffer.concat([
      Buffer.from('0000000161' + '00000006' + Buffer.from('Number').toString('hex') + '01' + '00000001' + '31', 'hex'),
      Buffer.from('000000017a' + '00000006' + Buffer.from('Binary').toString('hex') + '02' + '00000002' + '0102', 'hex'),
    ]));
    assert.equal(two, manual);
  });
});
