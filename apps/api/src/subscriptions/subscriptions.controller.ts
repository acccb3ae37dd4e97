import { Body, Controller, ForbiddenException, Get, HttpCode, NotFoundException, Post, Query, Req, UnauthorizedException } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { Request } from 'express';
import { SubscriptionsStore, UsersStore } from '@paperfeed/db';
import { QueueService } from '@paperfeed/queue';
import { AdminOnly } from '../common/admin.guard';
import { CallerResolver } from '../common/caller';
import { CATEGORY_PATTERN } from '../papers/papers.query';

const CADENCES = ['daily', 'weekly'] as const;

class SubscribeDto {
  @ApiProperty({ example: 'ada@example.org' })
  @IsString()
  @MaxLength(254)
  @IsEmail({ allow_display_name: false, require_tld: true })
  email!: string;

  @ApiProperty({ enum: CADENCES })
  @IsIn(CADENCES)
  cadence!: (typeof CADENCES)[number];

  @ApiPropertyOptional({ format: 'uuid', description: "the digest is this user's feed (needs that user's token or the admin's)" })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ description: 'words the papers must contain (full-text syntax)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  query?: string;

  @ApiPropertyOptional({ type: [String], example: ['cs.LG'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(CATEGORY_PATTERN, { each: true, message: 'categories must be classes such as cs.LG' })
  categories?: string[];
}

class TokenQuery {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  token!: string;
}

class RunDigestsDto {
  @ApiProperty({ enum: CADENCES })
  @IsIn(CADENCES)
  cadence!: (typeof CADENCES)[number];
}

@ApiTags('digests')
@Controller('v1')
export class SubscriptionsController {
  constructor(
    private readonly callers: CallerResolver,
    private readonly subscriptions: SubscriptionsStore,
    private readonly users: UsersStore,
    private readonly queues: QueueService,
  ) {}

  @Post('subscriptions')
  @HttpCode(202)
  @ApiOperation({ summary: 'Subscribe an address to daily or weekly digests; only a confirmation mail is sent until the link in it is followed' })
  @ApiAcceptedResponse({ description: '{ status: "confirmation sent" } — the same answer whether or not the address was subscribed already, or a mail went out (an address gets at most one confirmation mail per 10 minutes and five a day)' })
  @ApiBadRequestResponse({ description: 'names each invalid field' })
  async subscribe(@Body() body: SubscribeDto, @Req() request: Request): Promise<{ status: string }> {
    if (body.userId) await this.assertMayUse(body.userId, request);
    const email = body.email.trim().toLowerCase();
    const subscription = await this.subscriptions.subscribe({
      email,
      cadence: body.cadence,
      userId: body.userId ?? null,
      query: body.query?.trim() || null,
      categories: [...new Set(body.categories ?? [])],
    });
    // Nobody learns from the answer whether an address is subscribed, and nobody can mail an
    // address more often than its limits allow.
    if (subscription.state === 'active') return { status: 'confirmation sent' };
    const record = await this.subscriptions.recordConfirmationMail(email);
    if (!record) return { status: 'confirmation sent' };
    try {
      await this.queues.enqueue('digest.confirm', { subscriptionId: subscription.id });
    } catch (error) {
      await this.subscriptions.forgetConfirmationMail(record);
      throw error;
    }
    return { status: 'confirmation sent' };
  }

  /** A digest of a user's feed shows what they read: only they (or the admin) may have it mailed. */
  private async assertMayUse(userId: string, request: Request): Promise<void> {
    const caller = await this.callers.of(request);
    if (caller.kind === 'anonymous') throw new UnauthorizedException("a digest of a user's feed needs that user's bearer token");
    if (caller.kind === 'invalid') throw new UnauthorizedException('the bearer token is not valid');
    if (caller.kind === 'user' && caller.userId !== userId) throw new ForbiddenException("another user's feed");
    if (!(await this.users.interests(userId))) throw new NotFoundException(`user ${userId} not found`);
  }

  @Get('subscriptions/confirm')
  @ApiOperation({ summary: 'Confirm a subscription (the link in the confirmation mail)' })
  @ApiOkResponse({ description: '{ subscribed: true, email, cadence }' })
  async confirm(@Query() query: TokenQuery) {
    const subscription = await this.subscriptions.confirm(query.token);
    if (!subscription) throw new NotFoundException('unknown, used or expired confirmation token');
    return { subscribed: true, email: subscription.email, cadence: subscription.cadence };
  }

  @Get('subscriptions/unsubscribe')
  @ApiOperation({ summary: 'Unsubscribe (the link in every digest)' })
  @ApiOkResponse({ description: '{ unsubscribed: true }' })
  unsubscribeLink(@Query() query: TokenQuery) {
    return this.unsubscribe(query.token);
  }

  @Post('subscriptions/unsubscribe')
  @HttpCode(200)
  @ApiOperation({ summary: 'One-click unsubscribe (RFC 8058: mail clients POST to the List-Unsubscribe URL)' })
  unsubscribeOneClick(@Query() query: TokenQuery) {
    return this.unsubscribe(query.token);
  }

  private async unsubscribe(token: string) {
    const subscription = await this.subscriptions.unsubscribe(token);
    if (!subscription) throw new NotFoundException('unknown or already used unsubscribe token');
    return { unsubscribed: true, email: subscription.email };
  }

  @Post('admin/digests/run')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({ summary: "Send a cadence's digests now (each subscription at most once per period)" })
  @ApiAcceptedResponse({ description: '{ jobId }' })
  async run(@Body() body: RunDigestsDto): Promise<{ jobId: string }> {
    return { jobId: await this.queues.enqueue('digest.run', { cadence: body.cadence }) };
  }
}
