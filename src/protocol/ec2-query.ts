// PLACEHOLDER: replaced by the real codec.
import type { Codec } from './codec.js';
import { AwsError } from './errors.js';
const todo = () => { throw new AwsError('InternalFailure', 'protocol not implemented', { status: 501 }); };
export class Ec2QueryCodec implements Codec {
  resolveOperation = todo;
  parseInput = todo;
  serializeOutput = todo;
  serializeError = todo;
  unknownOperation = todo;
}
