/** Receipt handles: each receive of a message gets a new one, naming the queue, the message row and that receive. */
import { randomBytes } from 'node:crypto';

export interface Receipt {
  queueId: number;
  rowId: number;
  token: string;
}

export function newReceipt(queueId: number, rowId: number): { handle: string; token: string } {
  const token = randomBytes(12).toString('hex');
  return { handle: Buffer.from(`${queueId}:${rowId}:${token}`).toString('base64'), token };
}

export function parseReceipt(handle: string): Receipt | undefined {
  const m = /^(\d+):(\d+):([0-9a-f]{24})$/.exec(Buffer.from(handle, 'base64').toString('latin1'));
  return m ? { queueId: Number(m[1]), rowId: Number(m[2]), token: m[3] } : undefined;
}
