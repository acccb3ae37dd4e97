import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { EventsStore, NO_INTERESTS, UsersStore } from '@paperfeed/db';
import { jobIds, QueueService } from '@paperfeed/queue';
import { FeedTokens } from '../common/feed-tokens';
import { CreatedUserDto, InterestsDto, UserDto, UserEventDto } from './users.dto';

/** Users, what they do (events) and what they say they want (interests). */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersStore,
    private readonly events: EventsStore,
    private readonly queues: QueueService,
    private readonly feedTokens: FeedTokens,
  ) {}

  create(name: string | null): Promise<CreatedUserDto> {
    return this.users.create(name);
  }

  /** The user, or 404. */
  async get(id: string): Promise<UserDto> {
    const user = await this.users.view(id);
    if (!user) throw new NotFoundException(`user ${id} not found`);
    const { feedTokenSalt, ...rest } = user;
    return { ...rest, feedToken: this.feedTokens.tokenFor(id, feedTokenSalt) };
  }

  async recordEvents(id: string, events: UserEventDto[]): Promise<{ accepted: number }> {
    await this.get(id);
    const now = Date.now();
    const late = events.findIndex((e) => e.at && Date.parse(e.at) > now + 60_000);
    if (late >= 0) throw new BadRequestException(`events.${late}.at: must not be in the future`);
    const unknown = await this.events.unknownPapers(events.map((e) => e.paperId));
    if (unknown.length) throw new BadRequestException(`events: unknown paper ids: ${unknown.slice(0, 10).join(', ')}`);
    const throughEventId = await this.events.record(
      id,
      events.map((e) => ({ paperId: e.paperId, type: e.type, at: e.at ? new Date(e.at) : new Date(now) })),
    );
    await this.queueFold(id, throughEventId, [...new Set(events.map((e) => e.paperId))]);
    return { accepted: events.length };
  }

  async setInterests(id: string, body: InterestsDto): Promise<UserDto> {
    await this.get(id);
    const interests = { ...NO_INTERESTS, ...body };
    const unknown = await this.events.unknownPapers(interests.papers);
    if (unknown.length) throw new BadRequestException(`papers: unknown paper ids: ${unknown.slice(0, 10).join(', ')}`);
    await this.users.setInterests(id, interests);
    await this.queueFold(id, await this.events.latestId(id), []);
    return this.get(id);
  }

  async rotateFeedToken(id: string): Promise<{ feedToken: string }> {
    await this.get(id);
    return { feedToken: this.feedTokens.tokenFor(id, await this.users.rotateFeedTokenSalt(id)) };
  }

  /**
   * The feed reads stored events and interests itself; the worker folds them into trending, the
   * learned model and the candidate shortlist. Were the queue down, what was stored is kept and
   * the next fold reads it.
   */
  private async queueFold(userId: string, throughEventId: string, paperIds: string[]): Promise<void> {
    try {
      await this.queues.enqueue(
        'profile.fold',
        { userId, throughEventId, paperIds },
        { jobId: jobIds.profileFold(userId, `${throughEventId}-${Date.now()}`) },
      );
    } catch (error) {
      this.logger.warn(`changes of user ${userId} stored but not queued for folding: ${(error as Error).message}`);
    }
  }
}
