import { BadRequestException, Body, Controller, ForbiddenException, Get, Header, HttpCode, Inject, Logger, NotFoundException, Param, ParseUUIDPipe, Post, Put, Query, UnauthorizedException } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EventsStore, NO_INTERESTS, UserInterests, UsersStore } from '@paperfeed/db';
import { jobIds, QueueService } from '@paperfeed/queue';
import { Page } from '../common/list.dto';
import { CurrentPrincipal, Principal, UserAuth } from '../common/user.guard';
import { FeedTokens } from '../common/feed-tokens';
import { renderAtom } from '../papers/atom';
import { FeedRanker } from '@paperfeed/feed';
import { reasonText } from '@paperfeed/ranking';
import { FeedItem, FeedService } from './feed.service';
import { FeedAtomQueryDto, FeedQueryDto, InterestsDto, UserEventsDto } from './users-feed.dto';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('user not found') });
const ATOM_ENTRIES = 50;

/** A user reaches only their own resources; the admin reaches all. */
/** A user as GET /v1/users/:id shows them. */
interface UserDto {
  id: string;
  name: string | null;
  feedToken: string;
  interests: UserInterests;
  counts: { events: number; saved: number; dismissed: number };
}

function assertOwn(principal: Principal, userId: string): void {
  if (principal.kind === 'user' && principal.userId !== userId) throw new ForbiddenException("another user's resource");
}

@ApiTags('users')
@Controller('v1/users/:id')
export class UsersFeedController {
  private readonly logger = new Logger(UsersFeedController.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersStore,
    private readonly events: EventsStore,
    private readonly queues: QueueService,
    private readonly feeds: FeedService,
    private readonly ranker: FeedRanker,
    private readonly feedTokens: FeedTokens,
  ) {}

  private async existing(id: string): Promise<UserDto> {
    const user = await this.users.view(id);
    if (!user) throw new NotFoundException(`user ${id} not found`);
    const { feedTokenSalt, ...rest } = user;
    return { ...rest, feedToken: this.feedTokens.tokenFor(id, feedTokenSalt) };
  }

  @Get()
  @UserAuth()
  @ApiOperation({ summary: 'The user: name, feed token, interests, counts of events, saved and dismissed papers' })
  async get(@Param('id', uuid) id: string, @CurrentPrincipal() principal: Principal): Promise<UserDto> {
    assertOwn(principal, id);
    return this.existing(id);
  }

  @Post('events')
  @HttpCode(202)
  @UserAuth()
  @ApiOperation({ summary: 'Record views, clicks, saves, upvotes and dismissals (1–500); the next feed reflects them' })
  @ApiAcceptedResponse({ description: '{ accepted: n }' })
  @ApiBadRequestResponse({ description: 'an unknown paper id or a bad field; nothing is written' })
  async recordEvents(@Param('id', uuid) id: string, @Body() body: UserEventsDto, @CurrentPrincipal() principal: Principal): Promise<{ accepted: number }> {
    assertOwn(principal, id);
    await this.existing(id);
    const now = Date.now();
    const late = body.events.findIndex((e) => e.at && Date.parse(e.at) > now + 60_000);
    if (late >= 0) throw new BadRequestException(`events.${late}.at: must not be in the future`);
    const unknown = await this.events.unknownPapers(body.events.map((e) => e.paperId));
    if (unknown.length) throw new BadRequestException(`events: unknown paper ids: ${unknown.slice(0, 10).join(', ')}`);
    const throughEventId = await this.events.record(id, body.events.map((e) => ({ paperId: e.paperId, type: e.type, at: e.at ? new Date(e.at) : new Date(now) })));
    await this.queueFold(id, throughEventId, [...new Set(body.events.map((e) => e.paperId))]);
    return { accepted: body.events.length };
  }

  /**
   * The feed reads stored events and interests itself; the worker folds them into trending, the
   * learned model and the candidate shortlist. Were the queue down, what was stored is kept and
   * the next fold reads it.
   */
  private async queueFold(userId: string, throughEventId: string, paperIds: string[]): Promise<void> {
    try {
      await this.queues.enqueue('profile.fold', { userId, throughEventId, paperIds }, { jobId: jobIds.profileFold(userId, `${throughEventId}-${Date.now()}`) });
    } catch (error) {
      this.logger.warn(`changes of user ${userId} stored but not queued for folding: ${(error as Error).message}`);
    }
  }

  @Put('interests')
  @UserAuth()
  @ApiOperation({ summary: 'Replace the stated interests (categories, keywords, authors, papers, muted keywords)' })
  async setInterests(@Param('id', uuid) id: string, @Body() body: InterestsDto, @CurrentPrincipal() principal: Principal): Promise<UserDto> {
    assertOwn(principal, id);
    await this.existing(id);
    const interests = { ...NO_INTERESTS, ...body };
    const unknown = await this.events.unknownPapers(interests.papers);
    if (unknown.length) throw new BadRequestException(`papers: unknown paper ids: ${unknown.slice(0, 10).join(', ')}`);
    await this.users.setInterests(id, interests);
    await this.queueFold(id, await this.events.latestId(id), []);
    return this.existing(id);
  }

  @Get('feed')
  @UserAuth()
  @ApiOperation({ summary: 'The personalized feed, best first, each item with its reasons' })
  @ApiOkResponse({ description: '{ items: [{ paper, score, reasons }], nextCursor }' })
  async feed(@Param('id', uuid) id: string, @Query() query: FeedQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<FeedItem>> {
    assertOwn(principal, id);
    return this.feeds.feed(id, { category: query.category, since: query.since ? new Date(query.since) : undefined, limit: query.limit, cursor: query.cursor });
  }

  @Post('feed-token')
  @UserAuth()
  @ApiOperation({ summary: 'Replace the feed token (the old Atom URL stops working)' })
  async rotateFeedToken(@Param('id', uuid) id: string, @CurrentPrincipal() principal: Principal): Promise<{ feedToken: string }> {
    assertOwn(principal, id);
    await this.existing(id);
    return { feedToken: this.feedTokens.tokenFor(id, await this.users.rotateFeedTokenSalt(id)) };
  }

  @Get('feed.atom')
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiOperation({ summary: 'The personalized feed as Atom 1.0, authenticated by ?token=<feed token>' })
  async feedAtom(@Param('id', uuid) id: string, @Query() query: FeedAtomQueryDto): Promise<string> {
    const user = await this.users.feedIdentity(id);
    if (!user || !this.feedTokens.matches(id, user.feedTokenSalt, query.token)) throw new UnauthorizedException('a valid feed token is required');
    const ranked = await this.ranker.rank(id, {}, ATOM_ENTRIES);
    const reasons = new Map(ranked.map((item) => [item.paper.id, item.reasons]));
    const papers = ranked.map((item) => item.paper);
    return renderAtom({
      id: `urn:paperfeed:user:${id}:feed`,
      title: `paperfeed: papers for ${user.name ?? 'you'}`,
      selfUrl: `${this.config.publicUrl}/v1/users/${id}/feed.atom`,
      papers,
      summaryPrefix: (paper) => describeReasons(reasons.get(paper.id) ?? []),
    });
  }
}

function describeReasons(reasons: FeedItem['reasons']): string {
  return `Why: ${reasonText(reasons)}`;
}
