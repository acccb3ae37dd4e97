import { jsonDepthExceeds } from './body-parsers';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts nested arrays and objects', () => {
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes('{"a":"[[[[[{{{{"}'), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":"\\"[[[["}'), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes('["\\\\",[[]]]'), 2)).toBe(true);
  });

  it('measures depth, not the number of brackets', () => {
    expect(jsonDepthExceeds(bytes(`[${'[],'.repeat(1000)}[]]`), 2)).toBe(false);
    expect(jsonDepthExceeds(bytes('['.repeat(33) + ']'.repeat(33)), 32)).toBe(true);
    expect(jsonDepthExceeds(bytes('['.repeat(32) + ']'.repeat(32)), 32)).toBe(false);
  });
});
