import { Controller, Delete, ForbiddenException, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { UpvotesStore } from '@paperfeed/db';
import { CurrentPrincipal, Principal, UserAuth } from '../common/user.guard';

class UpvotesDto {
  @ApiProperty() upvotes!: number;
}

@ApiTags('papers')
@Controller('v1/papers/:id/upvote')
@UserAuth()
export class UpvotesController {
  constructor(private readonly upvotes: UpvotesStore) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Upvote a paper (one per user; repeating changes nothing)" })
  @ApiOkResponse({ type: UpvotesDto })
  @ApiNotFoundResponse({ description: 'unknown paper' })
  upvote(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<UpvotesDto> {
    return this.set(id, principal, true);
  }

  @Delete()
  @ApiOperation({ summary: 'Withdraw your upvote (repeating changes nothing)' })
  @ApiOkResponse({ type: UpvotesDto })
  @ApiNotFoundResponse({ description: 'unknown paper' })
  withdraw(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<UpvotesDto> {
    return this.set(id, principal, false);
  }

  private async set(id: string, principal: Principal, on: boolean): Promise<UpvotesDto> {
    if (principal.kind !== 'user') throw new ForbiddenException('upvotes belong to users: use a user token');
    const upvotes = await this.upvotes.set(principal.userId, id, on);
    if (upvotes === null) throw new NotFoundException(`paper ${id} not found`);
    return { upvotes };
  }
}
