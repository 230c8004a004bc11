import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, inflateSync } from 'node:zlib';
import {
  decodeHeaderBlock, encodeFrame, encodeHeaderBlock, FLAG_FIN, FrameReader, HEADER_DICTIONARY, HeaderCompressor, HeaderDecompressor,
  SpdyProtocolError, type SpdyFrame,
} from './spdy.js';

describe('SPDY/3.1 framing', () => {
  it('the header dictionary is the spec\'s 1,423 bytes, from "\\0\\0\\0\\7options" to "enq=0."', () => {
    assert.equal(HEADER_DICTIONARY.length, 1423);
    assert.deepEqual([...HEADER_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
    assert.equal(HEADER_DICTIONARY.subarray(-6).toString(), 'enq=0.');
  });

  it('every frame kind encodes and decodes to itself, split across chunks at any byte', () => {
    const frames: SpdyFrame[] = [
      { kind: 'syn_stream', flags: 0, streamId: 1, associatedId: 0, priority: 0, headerBlock: Buffer.from([1, 2, 3]) },
      { kind: 'syn_reply', flags: 0, streamId: 1, headerBlock: Buffer.from([4, 5]) },
      { kind: 'headers', flags: FLAG_FIN, streamId: 3, headerBlock: Buffer.from([6]) },
      { kind: 'data', streamId: 3, flags: 0, data: Buffer.from('hello') },
      { kind: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) },
      { kind: 'rst_stream', streamId: 5, status: 5 },
      { kind: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }, { flags: 1, id: 4, value: 100 }] },
      { kind: 'ping', id: 0xfffffffe },
      { kind: 'goaway', lastGoodStreamId: 9, status: 0 },
      { kind: 'window_update', streamId: 3, delta: 65535 },
    ];
    const wire = Buffer.concat(frames.map(encodeFrame));
    for (const step of [1, 7, wire.length]) {
      const reader = new FrameReader();
      const got: SpdyFrame[] = [];
      for (let i = 0; i < wire.length; i += step) got.push(...reader.push(wire.subarray(i, i + step)));
      assert.deepEqual(got, frames, `chunks of ${step}`);
    }
  });

  it('the control frame header: control bit, version 3, type, flags and a 24-bit length', () => {
    const b = encodeFrame({ kind: 'syn_reply', flags: FLAG_FIN, streamId: 1, headerBlock: Buffer.alloc(0) });
    assert.deepEqual([...b], [0x80, 3, 0, 2, 1, 0, 0, 4, 0, 0, 0, 1]);
    const d = encodeFrame({ kind: 'data', streamId: 0x7fffffff, flags: FLAG_FIN, data: Buffer.from('x') });
    assert.deepEqual([...d], [0x7f, 0xff, 0xff, 0xff, 1, 0, 0, 1, 0x78]);
  });

  it('a frame of another SPDY version is refused; an unknown control type is passed over', () => {
    assert.throws(() => new FrameReader().push(Buffer.from([0x80, 2, 0, 1, 0, 0, 0, 0])), SpdyProtocolError);
    assert.deepEqual(new FrameReader().push(Buffer.from([0x80, 3, 0, 10, 0, 0, 0, 2, 9, 9])), [{ kind: 'unknown', type: 10 }]);
  });

  it('name/value blocks: lowercase names, NUL-joined values', () => {
    const block = encodeHeaderBlock([['streamType', 'data'], ['Port', '8080'], ['x', ['a', 'b']]]);
    assert.deepEqual(decodeHeaderBlock(block), new Map([['streamtype', ['data']], ['port', ['8080']], ['x', ['a', 'b']]]));
    assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), SpdyProtocolError);
  });

  it('header blocks round-trip through one compression context per direction, each block a sync-flushed piece of one zlib stream', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const sets: [string, string][][] = [
      [['streamtype', 'error'], ['port', '8080'], ['requestid', '0']],
      [['streamtype', 'data'], ['port', '8080'], ['requestid', '0']],
      [],
      [['streamtype', 'error'], ['port', '9090'], ['requestid', '1']],
    ];
    // Compressed concurrently: the steps keep their order.
    const blocks = await Promise.all(sets.map((s) => c.compress(s)));
    // The first block opens the zlib stream with the dictionary's id (FDICT); the later ones continue it.
    assert.equal(blocks[0][0], 0x78);
    assert.equal(blocks[0][1] & 0x20, 0x20);
    assert.ok(blocks[3].length < blocks[0].length, 'a repeated block compresses against the shared context');
    for (const [i, b] of blocks.entries()) assert.deepEqual(await d.decompress(b), new Map(sets[i].map(([k, v]) => [k, [v]])));
    // One inflate over all of them reads the same stream: the blocks are pieces of one context, as a Go peer reads them.
    const all = inflateSync(Buffer.concat(blocks), { dictionary: HEADER_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual(all, Buffer.concat(sets.map((s) => encodeHeaderBlock(s))));
    c.close();
    d.close();
  });

  it('a corrupt header block fails its decompression with a protocol error', async () => {
    const d = new HeaderDecompressor();
    await assert.rejects(d.decompress(Buffer.from([0x78, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8])), SpdyProtocolError);
    d.close();
  });
});
