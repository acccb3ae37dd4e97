import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursors', () => {
  it('round-trips a keyset position', () => {
    const cursor = encodeCursor({ p: '2025-01-02T00:00:00.000Z', i: '2501.00001' });
    expect(decodeCursor(cursor, ['p', 'i'])).toEqual({ p: '2025-01-02T00:00:00.000Z', i: '2501.00001' });
  });

  it.each(['garbage', encodeCursor({ p: 'x' }), Buffer.from('[1,2]').toString('base64url')])('rejects %s with 400', (cursor) => {
    expect(() => decodeCursor(cursor, ['p', 'i'])).toThrow(BadRequestException);
  });
});
