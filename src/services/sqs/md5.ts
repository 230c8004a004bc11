/**
 * The MD5 digests SQS returns with a message, computed exactly as SQS does (the SDKs check them):
 * the body's MD5 over its UTF-8 bytes; the attributes' MD5 over each attribute, sorted by name, as
 * length-prefixed name, data type, a transport byte (1 string/number, 2 binary) and the length-prefixed value.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
 */
import { createHash } from 'node:crypto';

export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64 of the bytes. */
  BinaryValue?: string;
}

export const md5Hex = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export function md5OfAttributes(attributes: Record<string, StoredAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (!names.length) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const a = attributes[name];
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (a.BinaryValue !== undefined) parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(a.BinaryValue, 'base64')));
    else parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8')));
  }
  return md5Hex(Buffer.concat(parts));
}
