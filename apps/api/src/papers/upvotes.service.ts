import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { UpvotesStore } from '@paperfeed/db';
import { Principal } from '../common/user.guard';
import { UpvotesDto } from './paper.dto';

/** One upvote per user per paper; repeating a call changes nothing. */
@Injectable()
export class UpvotesService {
  constructor(private readonly upvotes: UpvotesStore) {}

  async set(principal: Principal, paperId: string, on: boolean): Promise<UpvotesDto> {
    if (principal.kind !== 'user') throw new ForbiddenException('upvotes belong to users: use a user token');
    const upvotes = await this.upvotes.set(principal.userId, paperId, on);
    if (upvotes === null) throw new NotFoundException(`paper ${paperId} not found`);
    return { upvotes };
  }
}
