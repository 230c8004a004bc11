/**
 * Reads the static schemas that `@aws-sdk/client-*` v3 packages ship (the Smithy
 * "schema-serde" arrays exported as `Foo$`) into a small, typed shape graph that
 * our parsers, serializers and validator walk.
 *
 * Encoding (see @smithy/core/schema NormalizedSchema):
 *   number            simple type: 0 string, 1 number, 2 boolean, 4..7 timestamps,
 *                     15 document, 17 bigint, 19 bigdecimal, 21 blob, 42 streaming blob;
 *                     64|x list of x, 128|x map of string to x
 *   [0,ns,n,t,ref]    simple type with traits
 *   [1,ns,n,t,v]      list       [2,ns,n,t,k,v]  map
 *   [3|-3|4,ns,n,t,names,schemas,requiredCount]   structure | error | union
 *   [9,ns,n,t,in,out] operation
 *   [ref, traits]     a member reference carrying member traits
 *   () => schema      lazy reference
 * Required members come first in a structure; the trailing count says how many.
 */

export type Traits = Record<string, any>;

export type TimestampFormat = 'default' | 'date-time' | 'http-date' | 'epoch-seconds';

export type SimpleKind = 'string' | 'number' | 'boolean' | 'document' | 'bigint' | 'bigdecimal' | 'blob' | 'unit';

export type Shape =
  | { kind: SimpleKind; name: string; traits: Traits }
  | { kind: 'timestamp'; name: string; traits: Traits; format: TimestampFormat }
  | ListShape
  | MapShape
  | StructureShape;

export interface ListShape { kind: 'list'; name: string; traits: Traits; member: Member }
export interface MapShape { kind: 'map'; name: string; traits: Traits; key: Member; value: Member }
export interface StructureShape {
  kind: 'structure';
  name: string;
  /** Fully qualified id, e.g. com.amazonaws.ecs#Cluster. */
  id: string;
  traits: Traits;
  isError: boolean;
  isUnion: boolean;
  members: Member[];
  byName: Map<string, Member>;
  required: string[];
}

export interface Member {
  name: string;
  /** Member traits merged over the target shape's own traits. */
  traits: Traits;
  readonly shape: Shape;
}

export interface OperationSchema {
  name: string;
  traits: Traits;
  input: StructureShape;
  output: StructureShape;
}

const BIT_TRAITS = ['httpLabel', 'idempotent', 'idempotencyToken', 'sensitive', 'httpPayload', 'httpResponseCode', 'httpQueryParams'];
const bitTraitCache: Traits[] = [];

export function translateTraits(indicator: unknown): Traits {
  if (indicator && typeof indicator === 'object') return indicator as Traits;
  const n = (Number(indicator) | 0);
  const cached = bitTraitCache[n];
  if (cached) return cached;
  const traits: Traits = {};
  BIT_TRAITS.forEach((t, i) => { if ((n >> i) & 1) traits[t] = 1; });
  return (bitTraitCache[n] = traits);
}

const TIMESTAMP_FORMATS: Record<number, TimestampFormat> = { 4: 'default', 5: 'date-time', 6: 'http-date', 7: 'epoch-seconds' };
const SIMPLE: Record<number, SimpleKind> = { 0: 'string', 1: 'number', 2: 'boolean', 15: 'document', 17: 'bigint', 19: 'bigdecimal', 21: 'blob', 42: 'blob' };

const deref = (ref: any): any => (typeof ref === 'function' ? ref() : ref);
const isMemberRef = (ref: any) => Array.isArray(ref) && ref.length === 2;

const objectCache = new WeakMap<object, Shape>();
const numberCache = new Map<number, Shape>();

/** Resolves any schema reference to its shape; shapes are cached per schema object. */
export function shapeOf(ref: any): Shape {
  let sc = deref(ref);
  while (isMemberRef(sc)) sc = deref(sc[0]);
  if (typeof sc === 'number') return simpleNumberShape(sc);
  if (sc === 'unit' || sc == null) return { kind: 'unit', name: 'Unit', traits: {} };
  const cached = objectCache.get(sc);
  if (cached) return cached;
  const shape = buildShape(sc);
  objectCache.set(sc, shape);
  return shape;
}

function simpleNumberShape(n: number): Shape {
  const cached = numberCache.get(n);
  if (cached) return cached;
  let shape: Shape;
  if (n >= 64 && n < 128) {
    shape = { kind: 'list', name: 'List', traits: {}, member: makeMember('member', n & 0b0011_1111) };
  } else if (n >= 128 && n < 256) {
    shape = { kind: 'map', name: 'Map', traits: {}, key: makeMember('key', 0), value: makeMember('value', n & 0b0011_1111) };
  } else if (TIMESTAMP_FORMATS[n]) {
    shape = { kind: 'timestamp', name: 'Timestamp', traits: {}, format: TIMESTAMP_FORMATS[n] };
  } else {
    shape = { kind: SIMPLE[n] ?? 'string', name: SIMPLE[n] ?? 'string', traits: n === 42 ? { streaming: 1 } : {} };
  }
  numberCache.set(n, shape);
  return shape;
}

function buildShape(sc: any[]): Shape {
  const [type, ns, name, rawTraits] = sc;
  const traits = translateTraits(rawTraits);
  switch (type) {
    case 0: {
      const base = shapeOf(sc[4]);
      return { ...base, name, traits: { ...base.traits, ...traits } } as Shape;
    }
    case 1:
      return { kind: 'list', name, traits, member: makeMember('member', sc[4]) };
    case 2:
      return { kind: 'map', name, traits, key: makeMember('key', sc[4]), value: makeMember('value', sc[5]) };
    case 3:
    case -3:
    case 4: {
      const names: string[] = sc[4];
      const schemas: any[] = sc[5];
      const requiredCount: number = sc[6] ?? 0;
      const members = names.map((m, i) => makeMember(m, schemas[i]));
      return {
        kind: 'structure', name, id: `${ns}#${name}`, traits,
        isError: type === -3, isUnion: type === 4,
        members, byName: new Map(members.map((m) => [m.name, m])),
        required: names.slice(0, requiredCount),
      };
    }
    default:
      throw new Error(`unsupported schema kind ${type} for ${ns}#${name}`);
  }
}

/** A member whose target is resolved on first use, so recursive shapes work. */
function makeMember(name: string, ref: any): Member {
  let memberTraits: Traits = {};
  let target = ref;
  // Member refs may nest ([[ref, t1], t2]); inner traits are overridden by outer ones.
  const stack: Traits[] = [];
  while (isMemberRef(target)) {
    stack.push(translateTraits(target[1]));
    target = target[0];
  }
  for (let i = stack.length - 1; i >= 0; i--) memberTraits = { ...memberTraits, ...stack[i] };
  let shape: Shape | undefined;
  let traits: Traits | undefined;
  return {
    name,
    get shape() { return (shape ??= shapeOf(target)); },
    get traits() { return (traits ??= { ...this.shape.traits, ...memberTraits }); },
  };
}

export function operationOf(op: any[]): OperationSchema {
  const input = shapeOf(op[4]);
  const output = shapeOf(op[5]);
  return {
    name: op[2],
    traits: translateTraits(op[3]),
    input: asStructure(input, `${op[2]}Input`),
    output: asStructure(output, `${op[2]}Output`),
  };
}

function asStructure(shape: Shape, name: string): StructureShape {
  if (shape.kind === 'structure') return shape;
  return { kind: 'structure', name, id: name, traits: {}, isError: false, isUnion: false, members: [], byName: new Map(), required: [] };
}
