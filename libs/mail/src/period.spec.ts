import { digestPeriod } from './period';

describe('digestPeriod', () => {
  it('names UTC days and ISO weeks', () => {
    expect(digestPeriod('daily', new Date('2025-03-14T23:59:59Z'))).toBe('2025-03-14');
    expect(digestPeriod('weekly', new Date('2025-03-14T12:00:00Z'))).toBe('2025-W11');
    expect(digestPeriod('weekly', new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(digestPeriod('weekly', new Date('2021-01-03T00:00:00Z'))).toBe('2020-W53');
  });
});
