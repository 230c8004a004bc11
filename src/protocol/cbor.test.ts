import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cbor } from '@smithy/core/cbor';
import { CborError, Tagged, decodeCbor, encodeCbor, halfToNumber } from './cbor.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('CBOR codec', () => {
  it('decodes RFC 8949 appendix A examples', () => {
    const cases: [string, unknown][] = [
      ['00', 0], ['17', 23], ['1818', 24], ['1903e8', 1000], ['1a000f4240', 1000000],
      ['1b000000e8d4a51000', 1000000000000], ['1bffffffffffffffff', 18446744073709551615n],
      ['20', -1], ['3863', -100], ['3bffffffffffffffff', -18446744073709551616n],
      ['c249010000000000000000', 18446744073709551616n], ['c349010000000000000000', -18446744073709551617n],
      ['f90000', 0], ['f93c00', 1], ['f93e00', 1.5], ['f97bff', 65504], ['f90001', 5.960464477539063e-8],
      ['f9c400', -4], ['fa47c35000', 100000], ['fb3ff199999999999a', 1.1], ['fb7e37e43c8800759c', 1.0e300],
      ['f97c00', Infinity], ['f9fc00', -Infinity], ['f4', false], ['f5', true], ['f6', null], ['f7', undefined],
      ['60', ''], ['6449455446', 'IETF'], ['62c3bc', 'ü'], ['80', []], ['83010203', [1, 2, 3]],
      ['a26161016162820203', { a: 1, b: [2, 3] }],
      // indefinite lengths, as a streaming encoder writes them
      ['5f42010243030405ff', Buffer.from([1, 2, 3, 4, 5])], ['7f657374726561646d696e67ff', 'streaming'],
      ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]], ['bf61610161629f0203ffff', { a: 1, b: [2, 3] }],
    ];
    for (const [bytes, want] of cases) assert.deepEqual(decodeCbor(hex(bytes)), want, bytes);
    assert.ok(Number.isNaN(decodeCbor(hex('f97e00'))));
    assert.equal(halfToNumber(0x3555), 0.333251953125);
  });

  it('reads tag 1 as a Date (integer and double seconds) and keeps other tags', () => {
    assert.deepEqual(decodeCbor(hex('c11a514b67b0')), new Date('2013-03-21T20:04:00Z'));
    assert.deepEqual(decodeCbor(hex('c1fb41d452d9ec200000')), new Date('2013-03-21T20:04:00.5Z'));
    const t = decodeCbor(hex('d82076687474703a2f2f7777772e6578616d706c652e636f6d')) as Tagged;
    assert.equal(t.tag, 32);
    assert.equal(t.value, 'http://www.example.com');
  });

  it('round-trips values through its own encoder, shortest integer heads', () => {
    const values: unknown[] = [
      0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -(2 ** 40),
      1.5, -0.25, 1e300, Infinity, -Infinity, true, false, null, '', 'x'.repeat(300), 'ü'.repeat(40_000),
      Buffer.alloc(70_000, 7), [], [1, [2, [3]]], { a: { b: { c: [1, 'two', Buffer.from('3')] } } },
      2n ** 64n, -(2n ** 64n) - 5n, new Date('2026-07-12T10:00:00Z'), new Date('2026-07-12T10:00:00.25Z'),
      new Tagged(55799, 'self-described'),
    ];
    for (const v of values) assert.deepEqual(decodeCbor(encodeCbor(v)), v);
    assert.deepEqual(encodeCbor(24), hex('1818'));
    assert.deepEqual(encodeCbor(-500), hex('3901f3'));
    assert.deepEqual(encodeCbor(new Date(1363896240000)), hex('c11a514b67b0'));
    assert.deepEqual(encodeCbor({ a: undefined, b: 1 }), hex('a1616201'));
  });

  it('agrees with the SDK\'s own CBOR reader and writer', () => {
    const doc = {
      Namespace: 'App', MetricData: [{ MetricName: 'Latency', Value: 12.5, Values: [1, 2.5, 1e-9], Counts: [3, 1, 1] }],
      Big: 2 ** 40, Neg: -70000, Bytes: new Uint8Array([0, 255]), Flag: false, Nothing: null,
    };
    assert.deepEqual(decodeCbor(cbor.serialize(doc)), { ...doc, Bytes: Buffer.from([0, 255]) });
    const back = cbor.deserialize(encodeCbor(doc)) as any;
    assert.deepEqual({ ...back, Bytes: Buffer.from(back.Bytes) }, { ...doc, Bytes: Buffer.from([0, 255]) });
  });

  it('rejects truncated input, trailing bytes, stray breaks and absurd lengths', () => {
    for (const bad of ['', '19 01', '62 61', 'a1 61 61', '00 00', 'ff', '9f 01', '5b ffffffffffffffff', 'fc', '81 ff']) {
      assert.throws(() => decodeCbor(hex(bad)), CborError, bad);
    }
    assert.throws(() => decodeCbor(Buffer.from(new Array(200).fill(0x81))), CborError);
  });
});
