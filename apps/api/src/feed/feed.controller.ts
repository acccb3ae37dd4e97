import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAtomResponse, ApiCallerErrors, ApiDatabaseErrors, ApiError, ApiValidationErrors } from '../common/api-docs';
import { Page } from '../common/list.dto';
import { assertOwn, UserIdPipe } from '../common/ownership';
import { CurrentPrincipal, Principal, UserAuth } from '../common/user.guard';
import { FeedAtomQueryDto, FeedPageDto, FeedQueryDto } from './feed.dto';
import { FeedItem, FeedService } from './feed.service';

@ApiTags('users')
@Controller('v1/users/:id')
@ApiDatabaseErrors()
@ApiCallerErrors()
export class FeedController {
  constructor(private readonly feeds: FeedService) {}

  @Get('feed')
  @UserAuth()
  @ApiOperation({ summary: 'The personalized feed, best first, each item with its reasons' })
  @ApiOkResponse({ type: FeedPageDto })
  @ApiValidationErrors('names each invalid query parameter; a cursor of another feed')
  @ApiError(404, 'unknown user (or an id that is not a UUID)')
  feed(
    @Param('id', UserIdPipe) id: string,
    @Query() query: FeedQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<FeedItem>> {
    assertOwn(principal, id);
    return this.feeds.feed(id, {
      category: query.category,
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Get('feed.atom')
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiOperation({ summary: 'The personalized feed as Atom 1.0, authenticated by ?token=<feed token>' })
  @ApiAtomResponse("the user's 50 best papers, each entry saying why it is there")
  @ApiValidationErrors('token is missing or too long')
  @ApiError(401, 'missing or wrong feed token (or a wrong bearer token)')
  @ApiError(404, 'an id that is not a UUID')
  feedAtom(@Param('id', UserIdPipe) id: string, @Query() query: FeedAtomQueryDto): Promise<string> {
    return this.feeds.atom(id, query.token);
  }
}
