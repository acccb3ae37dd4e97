import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { sameSecret } from './admin.guard';
import { ADMIN_TOKEN } from './tokens';

/**
 * Feed tokens (for feed readers, which cannot send headers) are never stored: a token is the HMAC
 * of the user id and a per-user salt under a key derived from ADMIN_TOKEN, so the database alone
 * yields none, every api replica computes the same one, and rotating the salt (or ADMIN_TOKEN)
 * revokes it.
 */
@Injectable()
export class FeedTokens {
  private readonly key: Buffer;

  constructor(@Inject(ADMIN_TOKEN) adminToken: string) {
    this.key = createHmac('sha256', adminToken).update('paperfeed feed tokens').digest();
  }

  tokenFor(userId: string, salt: string): string {
    return `pff_${createHmac('sha256', this.key).update(`${userId}:${salt}`).digest('base64url')}`;
  }

  matches(userId: string, salt: string, token: string): boolean {
    return sameSecret(token, this.tokenFor(userId, salt));
  }
}
