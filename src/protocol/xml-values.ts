/**
 * XML bodies, shape by shape: shared by awsQuery and ec2Query responses and by
 * restXml requests and responses. Follows the Smithy XML binding rules the SDKs
 * implement: xmlName renames, xmlFlattened lists and maps, xmlAttribute,
 * xmlNamespace, list items named by the member's xmlName (default "member"),
 * map entries as <entry><key/><value/></entry>, timestamps as date-time.
 */
import type { Member, Shape, StructureShape, Traits } from './schema.js';
import { fromWireString, setOwn, toWireString } from './query-values.js';
import { childNamed, element, escapeText, type XmlNode } from './xml.js';

/**
 * The element name of a structure member. Member traits are merged over the
 * target's, so a structure's own xmlName (the name it has as a document root)
 * would leak into every member targeting it; the SDKs use the member's name there.
 */
export function memberElementName(member: Member): string {
  const name: string | undefined = member.traits.xmlName;
  if (name === undefined) return member.name;
  if (member.shape.kind === 'structure' && name === member.shape.traits.xmlName) return member.name;
  return name;
}

function namespaceAttrs(traits: Traits, attrs: Record<string, string> = {}): Record<string, string> {
  const ns = traits.xmlNamespace;
  if (Array.isArray(ns) && ns[1]) attrs[ns[0] ? `xmlns:${ns[0]}` : 'xmlns'] = ns[1];
  else if (ns && typeof ns === 'object' && ns.uri) attrs[ns.prefix ? `xmlns:${ns.prefix}` : 'xmlns'] = ns.uri;
  return attrs;
}

/** The members of a structure as XML: attributes for the owning element and the child markup. */
export function writeMembers(
  shape: StructureShape,
  value: Record<string, unknown>,
  skip?: (member: Member) => boolean,
): { attrs: Record<string, string>; content: string } {
  const attrs: Record<string, string> = {};
  let content = '';
  for (const member of shape.members) {
    const v = value[member.name];
    if (v === undefined || v === null || skip?.(member)) continue;
    const name = memberElementName(member);
    if (member.traits.xmlAttribute) {
      attrs[name] = toWireString(member.shape, member.traits, v, 'date-time');
      continue;
    }
    content += writeMember(name, member, v);
  }
  return { attrs, content };
}

function writeMember(name: string, member: Member, value: unknown): string {
  const { shape, traits } = member;
  if (shape.kind === 'list' && traits.xmlFlattened && Array.isArray(value)) {
    // Flattened items take the structure member's name (and namespace, when it declares one).
    const itemTraits = traits.xmlNamespace ? { ...shape.member.traits, xmlNamespace: traits.xmlNamespace } : shape.member.traits;
    return value.map((item) => (item == null ? '' : writeElement(name, shape.member.shape, itemTraits, item))).join('');
  }
  if (shape.kind === 'map' && traits.xmlFlattened && value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => element(name, mapEntry(shape.key, shape.value, k, v), namespaceAttrs(traits)))
      .join('');
  }
  return writeElement(name, shape, traits, value);
}

function mapEntry(key: Member, val: Member, k: string, v: unknown): string {
  return element(key.traits.xmlName ?? 'key', escapeText(k), namespaceAttrs(key.traits)) + writeElement(val.traits.xmlName ?? 'value', val.shape, val.traits, v);
}

/** One element named `name` holding `value` of `shape`. */
export function writeElement(name: string, shape: Shape, traits: Traits, value: unknown): string {
  switch (shape.kind) {
    case 'structure': {
      const { attrs, content } = writeMembers(shape, (value ?? {}) as Record<string, unknown>);
      return element(name, content, namespaceAttrs(traits, attrs));
    }
    case 'list': {
      if (!Array.isArray(value)) return element(name, '');
      const item = shape.member;
      const itemName: string = item.traits.xmlName ?? 'member';
      const content = value.map((v) => (v == null ? '' : writeElement(itemName, item.shape, item.traits, v))).join('');
      return element(name, content, namespaceAttrs(traits));
    }
    case 'map': {
      const entries = Object.entries((value ?? {}) as object).filter(([, v]) => v !== undefined && v !== null);
      const content = entries.map(([k, v]) => element('entry', mapEntry(shape.key, shape.value, k, v))).join('');
      return element(name, content, namespaceAttrs(traits));
    }
    case 'document':
      // XML protocols have no document type; JSON text is the least surprising stand-in.
      return element(name, escapeText(JSON.stringify(value)), namespaceAttrs(traits));
    default:
      return element(name, escapeText(toWireString(shape, traits, value, 'date-time')), namespaceAttrs(traits));
  }
}

/** Reads a structure from an element; unknown children are ignored, as AWS does. */
export function readXmlStructure(shape: StructureShape, node: XmlNode, only?: (member: Member) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    if (only && !only(member)) continue;
    const name = memberElementName(member);
    const { shape: ms, traits } = member;
    let v: unknown;
    if (traits.xmlAttribute) {
      const a = Object.prototype.hasOwnProperty.call(node.attrs, name) ? node.attrs[name] : undefined;
      v = a === undefined ? undefined : fromWireString(ms, traits, a, 'date-time');
    } else if (ms.kind === 'list' && traits.xmlFlattened) {
      const items = node.children.filter((c) => c.name === name);
      v = items.length ? items.map((c) => readXmlValue(ms.member.shape, ms.member.traits, c)) : undefined;
    } else if (ms.kind === 'map' && traits.xmlFlattened) {
      const entries = node.children.filter((c) => c.name === name);
      v = entries.length ? readEntries(ms.key, ms.value, entries) : undefined;
    } else {
      const child = childNamed(node, name);
      v = child ? readXmlValue(ms, traits, child) : undefined;
    }
    if (v !== undefined) out[member.name] = v;
  }
  return out;
}

function readEntries(key: Member, val: Member, entries: XmlNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keyName: string = key.traits.xmlName ?? 'key';
  const valueName: string = val.traits.xmlName ?? 'value';
  for (const entry of entries) {
    const k = childNamed(entry, keyName);
    const v = childNamed(entry, valueName);
    if (!k || !v) continue;
    setOwn(out, k.text, readXmlValue(val.shape, val.traits, v));
  }
  return out;
}

export function readXmlValue(shape: Shape, traits: Traits, node: XmlNode): unknown {
  switch (shape.kind) {
    case 'structure':
      return readXmlStructure(shape, node);
    case 'list': {
      const itemName: string = shape.member.traits.xmlName ?? 'member';
      return node.children.filter((c) => c.name === itemName).map((c) => readXmlValue(shape.member.shape, shape.member.traits, c));
    }
    case 'map':
      return readEntries(shape.key, shape.value, node.children.filter((c) => c.name === 'entry'));
    case 'string':
      return node.text;
    default:
      return fromWireString(shape, traits, node.text, 'date-time');
  }
}
