import { ForbiddenException, NotFoundException, ParseUUIDPipe } from '@nestjs/common';
import { Principal } from './user.guard';

/** `:id` of a user route: anything but a UUID names no user (404). */
export const UserIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('user not found') });

/** A user reaches only their own resources; the admin reaches all. */
export function assertOwn(principal: Principal, userId: string): void {
  if (principal.kind === 'user' && principal.userId !== userId) throw new ForbiddenException("another user's resource");
}
