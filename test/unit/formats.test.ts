import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src-main/core/formats/registry.js';
import { detectFormat } from '../../src-main/core/ingest/detect.js';
import type { ParsedLine } from '../../src-main/core/formats/types.js';

const ctx = { timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 10, 23) };

describe.each(FORMATS.map((f) => [f.id, f] as const))('format %s', (_id, format) => {
  it('has verbatim samples', () => {
    expect(format.samples.length).toBeGreaterThan(0);
  });

  it('parses every sample line into the expected fields', () => {
    const parser = format.createParser(ctx);
    for (const sample of format.samples) {
      const parsed = parser.parse(sample.line);
      expect(parsed, `not parsed: ${sample.line}`).not.toBeNull();
      const { kind, ...fields } = sample.expect ?? {};
      expect(parsed!.kind, sample.line).toBe(kind ?? 'event');
      for (const [key, value] of Object.entries(fields)) {
        expect((parsed as ParsedLine).fields[key as keyof ParsedLine['fields']], `${key} of ${sample.line}`).toEqual(value);
      }
    }
  });

  it('is detected from its own samples', () => {
    expect(detectFormat(format.samples.map((s) => s.line), 'unnamed.log')?.format.id).toBe(format.id);
  });

  it('keeps its parser state serialisable so indexing can resume mid-file', () => {
    const parser = format.createParser(ctx);
    const half = Math.ceil(format.samples.length / 2);
    for (const s of format.samples.slice(0, half)) parser.parse(s.line);
    const resumed = format.createParser(ctx, JSON.parse(JSON.stringify(parser.state() ?? null)));
    for (const s of format.samples.slice(half)) {
      expect(resumed.parse(s.line)).toEqual(parser.parse(s.line));
    }
  });

  it('returns null (unparsed) for lines that are not its format', () => {
    const parser = format.createParser(ctx);
    for (const junk of ['hello world', '2026-13-45 99:99:99 nonsense', '"unterminated', ';;;;;;;;;']) {
      expect(parser.parse(junk)).toBeNull();
    }
  });
});

describe('W3C specifics', () => {
  const w3c = FORMATS.find((f) => f.id === 'w3c')!;

  it('follows a #Fields change in the middle of a file', () => {
    const p = w3c.createParser(ctx);
    p.parse('#Fields: date time c-ip cs-username cs-method cs-uri-stem sc-status sc-bytes cs-bytes s-port');
    expect(p.parse('2024-01-02 03:04:05 10.0.0.1 bob [7]sent /a+b.txt 226 99 - 21')!.fields).toMatchObject({ user: 'bob', bytes: 99, path: '/a b.txt', serverPort: 21 });
    p.parse('#Fields: date time s-port c-ip cs-method cs-uri-stem sc-status cs-bytes cs-username');
    const after = p.parse('2024-01-02 03:04:06 443 10.0.0.2 [1]created /up.bin 226 1234 alice')!.fields;
    expect(after).toMatchObject({ user: 'alice', clientIp: '10.0.0.2', serverPort: 443, protocol: 'https', bytes: 1234, verb: 'created', sessionKey: '1' });
  });

  it('rejects a data line whose column count does not match #Fields', () => {
    const p = w3c.createParser(ctx);
    p.parse('#Fields: date time c-ip cs-method');
    expect(p.parse('2024-01-02 03:04:05 10.0.0.1 [1]user extra')).toBeNull();
    expect(p.parse('2024-01-02 03:04:05 10.0.0.1')).toBeNull();
  });

  it('keeps unknown verbs and unknown fields', () => {
    const p = w3c.createParser(ctx);
    p.parse('#Fields: date time cs-method x-custom');
    expect(p.parse('2024-01-02 03:04:05 [3]frobnicate some+value')!.fields).toMatchObject({ verb: 'frobnicate', extra: { 'x-custom': 'some value' } });
  });
});

describe('local-time formats', () => {
  it('convert with the given zone, DST included', () => {
    const client = FORMATS.find((f) => f.id === 'eft-client')!;
    const line = '2024-07-01 12:00:00; ftp; h; 21; u; C:\\a; /a; upload; 226;';
    expect(client.createParser({ ...ctx, timeZone: 'Europe/Paris' }).parse(line)!.fields.ts).toBe(Date.UTC(2024, 6, 1, 10));
    expect(client.createParser({ ...ctx, timeZone: 'America/New_York' }).parse(line)!.fields.ts).toBe(Date.UTC(2024, 6, 1, 16));
    const winter = line.replace('2024-07-01', '2024-01-15');
    expect(client.createParser({ ...ctx, timeZone: 'Europe/Paris' }).parse(winter)!.fields.ts).toBe(Date.UTC(2024, 0, 15, 11));
  });
});
