import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXML } from '@aws-sdk/xml-builder';
import { element, escapeAttr, escapeText, parseXml, textElement, XmlSyntaxError } from './xml.js';

describe('XML parser', () => {
  it('reads elements, attributes, text, entities, character references and CDATA', () => {
    const root = parseXml('\ufeff<?xml version="1.0"?>\n<!-- hi --><a:Root xmlns:a="urn:x" id=\'1\' q="&quot;&amp;"><B>x &lt; y &#65;&#x42; &#x1F600;</B><C><![CDATA[<raw> & ]]></C><D/></a:Root>\n');
    assert.equal(root.name, 'Root');
    assert.deepEqual(root.attrs, { 'xmlns:a': 'urn:x', id: '1', q: '"&' });
    assert.deepEqual(root.children.map((c) => c.name), ['B', 'C', 'D']);
    assert.equal(root.children[0].text, 'x < y AB \u{1F600}');
    assert.equal(root.children[1].text, '<raw> & ');
    assert.equal(root.children[2].text, '');
  });

  it('keeps whitespace in text and ignores comments and processing instructions inside elements', () => {
    const root = parseXml('<a> <!-- c --> b <?pi x?>c </a>');
    assert.equal(root.text, '  b c ');
  });

  const bad: Array<[string, string]> = [
    ['', 'no root element'],
    ['text', 'content before the root element'],
    ['<a>', 'missing </a>'],
    ['<a></b>', 'mismatched tags'],
    ['<a><b></a></b>', 'mismatched tags'],
    ['<a/><b/>', 'content after the root element'],
    ['<a>&nope;</a>', 'unknown or invalid reference'],
    ['<a>&#xD800;</a>', 'unknown or invalid reference'],
    ['<a>& b</a>', 'unterminated reference'],
    ['<a x=1/>', 'must be quoted'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a x="<"/>', "'<' in value"],
    ['<a x/>', 'has no value'],
    ['<a><![CDATA[x</a>', 'unterminated construct'],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', 'DOCTYPE'],
    ['<a><!ENTITY e "x"></a>', 'declarations are not allowed'],
    ['<1a/>', 'invalid name'],
  ];
  for (const [input, why] of bad) {
    it(`rejects ${JSON.stringify(input)} (${why})`, () => {
      assert.throws(() => parseXml(input), (e: unknown) => e instanceof XmlSyntaxError && e.message.includes(why));
    });
  }

  it('refuses hostile nesting without overflowing the stack', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    assert.throws(() => parseXml(deep), /nested deeper than/);
  });

  it('parses a large flat document quickly', () => {
    const doc = `<r>${'<i>value &amp; more</i>'.repeat(50_000)}</r>`;
    const started = Date.now();
    assert.equal(parseXml(doc).children.length, 50_000);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('XML writer', () => {
  it('escapes text and attributes so the SDK parser reads back the same strings', () => {
    const samples = ['a & b', '<tag>', '"quoted" \'single\'', 'line\r\nbreak', 'tab\there', 'unicode ü 😀', ']]>'];
    for (const s of samples) {
      const xml = element('Root', textElement('V', s), { attr: s });
      const parsed = parseXML(xml) as any;
      assert.equal(parsed.Root.V, s, xml);
      assert.equal(parsed.Root.attr, s, xml);
      const ours = parseXml(xml);
      assert.equal(ours.children[0].text, s);
      assert.equal(ours.attrs.attr, s);
    }
  });

  it('escapeText leaves quotes alone and escapeAttr does not', () => {
    assert.equal(escapeText('"<&>\r'), '"&lt;&amp;&gt;&#xD;');
    assert.equal(escapeAttr('"<&>\n'), '&quot;&lt;&amp;&gt;&#xA;');
  });
});
