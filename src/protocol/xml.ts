/**
 * The little XML Berth needs: a writer (escaping and element helpers) and a
 * strict, non-validating parser for request bodies (restXml). The parser keeps
 * local names only (namespace prefixes are dropped: AWS models name elements
 * without them), refuses DOCTYPE (no entity expansion, no XXE), bounds nesting
 * depth, and reports every syntax error as XmlSyntaxError so codecs can turn
 * it into a 4xx.
 */

export interface XmlNode {
  /** Local name (prefix stripped). */
  name: string;
  /** Attributes by their name as written (e.g. "xmlns", "xsi:type"). */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated character data (entities decoded, CDATA included). */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at offset ${offset})`);
  }
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', '\n': '&#xA;', '\t': '&#x9;' };

/** Escapes character data; \r is kept as a reference because parsers normalise raw CRs away. */
export function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]);
}

export function escapeAttr(value: string): string {
  return value.replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESCAPES[c]);
}

/** `<name a="v">content</name>`; `content` must already be escaped markup. */
export function element(name: string, content: string, attrs?: Record<string, string | undefined>): string {
  let open = name;
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) open += ` ${k}="${escapeAttr(v)}"`;
  }
  return `<${open}>${content}</${name}>`;
}

/** An element holding only text. */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>`;
}

const MAX_DEPTH = 100;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_END = /[\s/>=]/;

/** Parses a document and returns its root element. */
export function parseXml(input: string): XmlNode {
  return new Parser(input).document();
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {
    if (s.charCodeAt(0) === 0xfeff) this.i = 1;
  }

  document(): XmlNode {
    this.misc();
    if (this.s[this.i] !== '<') this.fail(this.i >= this.s.length ? 'no root element' : 'content before the root element');
    const root = this.elementAt();
    this.misc();
    if (this.i < this.s.length) this.fail('content after the root element');
    return root;
  }

  private fail(message: string): never {
    throw new XmlSyntaxError(message, this.i);
  }

  /** Whitespace, comments and processing instructions (the prolog and epilog). */
  private misc() {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && isSpace(s.charCodeAt(this.i))) this.i++;
      if (s.startsWith('<?', this.i)) this.skipPast('?>');
      else if (s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (s.startsWith('<!', this.i)) this.fail('DOCTYPE and other declarations are not allowed');
      else return;
    }
  }

  private skipPast(end: string): string {
    const at = this.s.indexOf(end, this.i);
    if (at < 0) this.fail(`unterminated construct, expected "${end}"`);
    const inner = this.s.slice(this.i, at);
    this.i = at + end.length;
    return inner;
  }

  /** Iterative so hostile nesting cannot overflow the stack. */
  private elementAt(): XmlNode {
    const stack: XmlNode[] = [];
    const rawNames: string[] = [];
    const s = this.s;
    let root: XmlNode | undefined;
    for (;;) {
      // At '<' of a start tag.
      const { node, raw, selfClosing } = this.startTag();
      if (stack.length) stack[stack.length - 1].children.push(node);
      else root = node;
      if (!selfClosing) {
        if (stack.length >= MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH}`);
        stack.push(node);
        rawNames.push(raw);
      } else if (!stack.length) return node;
      // Content until the next start tag, or until the stack empties.
      for (;;) {
        const top = stack[stack.length - 1];
        const lt = s.indexOf('<', this.i);
        if (lt < 0) this.fail(`missing </${rawNames[rawNames.length - 1]}>`);
        if (lt > this.i) top.text += this.decode(s.slice(this.i, lt), this.i);
        this.i = lt;
        if (s.startsWith('</', lt)) {
          this.i += 2;
          const close = this.skipPast('>').trim();
          const expected = rawNames.pop();
          if (close !== expected) this.fail(`mismatched tags <${expected}> and </${close}>`);
          stack.pop();
          if (!stack.length) return root!;
        } else if (s.startsWith('<![CDATA[', lt)) {
          this.i += 9;
          top.text += this.skipPast(']]>');
        } else if (s.startsWith('<!--', lt)) {
          this.skipPast('-->');
        } else if (s.startsWith('<?', lt)) {
          this.skipPast('?>');
        } else if (s.startsWith('<!', lt)) {
          this.fail('declarations are not allowed inside elements');
        } else {
          break; // a child start tag
        }
      }
    }
  }

  private startTag(): { node: XmlNode; raw: string; selfClosing: boolean } {
    const s = this.s;
    this.i++; // '<'
    const raw = this.name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.spaces();
      const c = s[this.i];
      if (c === '>') {
        this.i++;
        return { node: makeNode(raw, attrs), raw, selfClosing: false };
      }
      if (c === '/' && s[this.i + 1] === '>') {
        this.i += 2;
        return { node: makeNode(raw, attrs), raw, selfClosing: true };
      }
      if (c === undefined) this.fail(`unterminated start tag <${raw}`);
      if (!hadSpace) this.fail(`expected whitespace in <${raw}>`);
      const attr = this.name();
      this.spaces();
      if (s[this.i] !== '=') this.fail(`attribute ${attr} has no value`);
      this.i++;
      this.spaces();
      const quote = s[this.i];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attr} value must be quoted`);
      const end = s.indexOf(quote, this.i + 1);
      if (end < 0) this.fail(`unterminated value of attribute ${attr}`);
      const value = s.slice(this.i + 1, end);
      if (value.includes('<')) this.fail(`'<' in value of attribute ${attr}`);
      if (Object.prototype.hasOwnProperty.call(attrs, attr)) this.fail(`duplicate attribute ${attr}`);
      Object.defineProperty(attrs, attr, { value: this.decode(value, this.i + 1), enumerable: true, writable: true, configurable: true });
      this.i = end + 1;
    }
  }

  private name(): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length && !NAME_END.test(s[this.i])) this.i++;
    const name = s.slice(start, this.i);
    if (!name || /^[\d.\-]/.test(name) || /[<&"'!?]/.test(name)) this.fail(`invalid name "${name}"`);
    return name;
  }

  private spaces(): boolean {
    const start = this.i;
    while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++;
    return this.i > start;
  }

  private decode(text: string, offset: number): string {
    if (!text.includes('&')) return text;
    return text.replace(/&([^;&\s]{0,32});?/g, (m, ref: string) => {
      if (!m.endsWith(';')) throw new XmlSyntaxError(`unterminated reference "${m}"`, offset);
      const named = NAMED_ENTITIES[ref];
      if (named !== undefined) return named;
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : ref.startsWith('#') ? parseInt(ref.slice(1), 10) : NaN;
      const digits = ref.startsWith('#x') ? /^#x[0-9a-fA-F]+$/ : /^#\d+$/;
      if (!digits.test(ref) || !(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        throw new XmlSyntaxError(`unknown or invalid reference "${m}"`, offset);
      }
      return String.fromCodePoint(code);
    });
  }
}

function makeNode(raw: string, attrs: Record<string, string>): XmlNode {
  const colon = raw.indexOf(':');
  return { name: colon >= 0 ? raw.slice(colon + 1) : raw, attrs, children: [], text: '' };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** The first child element with this local name. */
export function childNamed(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}
