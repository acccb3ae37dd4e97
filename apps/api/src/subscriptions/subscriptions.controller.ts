import { applyDecorators, Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request } from 'express';
import { AdminOnly } from '../common/admin.guard';
import { ApiBodyErrors, ApiCallerErrors, ApiDatabaseErrors, ApiError, ApiValidationErrors } from '../common/api-docs';
import { JobAcceptedDto } from '../ingest/ingest-papers.dto';
import { ConfirmedDto, RunDigestsDto, SubscribeAcceptedDto, SubscribeDto, TokenQuery, UnsubscribedDto } from './subscriptions.dto';
import { SubscriptionsService } from './subscriptions.service';

/** The token routes of the mails' links. */
const ApiTokenErrors = (what: string) =>
  applyDecorators(
    ApiValidationErrors('token is missing or too long'),
    ApiError(404, `unknown, used or expired ${what} token; nothing changes`),
  );

@ApiTags('digests')
@Controller('v1')
@ApiDatabaseErrors()
@ApiCallerErrors()
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post('subscriptions')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Subscribe an address to daily or weekly digests; only a confirmation mail is sent until the link in it is followed',
  })
  @ApiAcceptedResponse({
    type: SubscribeAcceptedDto,
    description:
      'the same answer whether or not the address was subscribed already, or a mail went out (an address gets at most one confirmation mail per 10 minutes and five a day)',
  })
  @ApiBodyErrors()
  @ApiError(401, "userId without that user's (or the admin's) bearer token, or a wrong bearer token")
  @ApiError(403, "userId of another user than the token's")
  @ApiError(404, 'unknown userId')
  @ApiError(503, 'the database or Redis is unavailable; no mail is queued')
  subscribe(@Body() body: SubscribeDto, @Req() request: Request): Promise<SubscribeAcceptedDto> {
    return this.subscriptions.subscribe(body, request);
  }

  @Get('subscriptions/confirm')
  @ApiOperation({ summary: 'Confirm a subscription (the link in the confirmation mail)' })
  @ApiOkResponse({ type: ConfirmedDto })
  @ApiTokenErrors('confirmation')
  confirm(@Query() query: TokenQuery): Promise<ConfirmedDto> {
    return this.subscriptions.confirm(query.token);
  }

  @Get('subscriptions/unsubscribe')
  @ApiOperation({ summary: 'Unsubscribe (the link in every digest)' })
  @ApiOkResponse({ type: UnsubscribedDto })
  @ApiTokenErrors('unsubscribe')
  unsubscribeLink(@Query() query: TokenQuery): Promise<UnsubscribedDto> {
    return this.subscriptions.unsubscribe(query.token);
  }

  @Post('subscriptions/unsubscribe')
  @HttpCode(200)
  @ApiOperation({ summary: 'One-click unsubscribe (RFC 8058: mail clients POST to the List-Unsubscribe URL)' })
  @ApiOkResponse({ type: UnsubscribedDto })
  @ApiTokenErrors('unsubscribe')
  unsubscribeOneClick(@Query() query: TokenQuery): Promise<UnsubscribedDto> {
    return this.subscriptions.unsubscribe(query.token);
  }

  @Post('admin/digests/run')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({ summary: "Send a cadence's digests now (each subscription at most once per period)" })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiBodyErrors()
  @ApiError(503, 'Redis is unavailable; nothing is queued')
  run(@Body() body: RunDigestsDto): Promise<JobAcceptedDto> {
    return this.subscriptions.runDigests(body.cadence);
  }
}
