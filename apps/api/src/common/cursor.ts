import { BadRequestException } from '@nestjs/common';

/** Opaque cursors: base64url JSON of the keyset position after which the next page starts. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(cursor: string, keys: (keyof T)[]): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (value && typeof value === 'object' && keys.every((key) => ['string', 'number'].includes(typeof value[key]))) {
      return value;
    }
  } catch {
    // fall through
  }
  throw new BadRequestException('cursor: is not a cursor this api issued');
}
