import { Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiRateLimited, ApiDatabaseErrors, ApiError } from '../common/api-docs';
import { CurrentPrincipal, Principal, UserAuth } from '../common/user.guard';
import { UpvotesDto } from './paper.dto';
import { UpvotesService } from './upvotes.service';

/** The admin token is known but upvotes belong to users. */
const ApiUpvoteForbidden = () => ApiError(403, 'the admin token: upvotes belong to users, use a user token');

@ApiTags('papers')
@Controller('v1/papers/:id/upvote')
@UserAuth()
@ApiDatabaseErrors()
@ApiRateLimited()
export class UpvotesController {
  constructor(private readonly upvotes: UpvotesService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Upvote a paper (one per user; repeating changes nothing)' })
  @ApiOkResponse({ type: UpvotesDto })
  @ApiUpvoteForbidden()
  @ApiError(404, 'unknown paper')
  upvote(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<UpvotesDto> {
    return this.upvotes.set(principal, id, true);
  }

  @Delete()
  @ApiOperation({ summary: 'Withdraw your upvote (repeating changes nothing)' })
  @ApiOkResponse({ type: UpvotesDto })
  @ApiUpvoteForbidden()
  @ApiError(404, 'unknown paper')
  withdraw(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<UpvotesDto> {
    return this.upvotes.set(principal, id, false);
  }
}
