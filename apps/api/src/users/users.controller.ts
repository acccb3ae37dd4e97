import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/admin.guard';
import { ApiBodyErrors, ApiCallerErrors, ApiDatabaseErrors, ApiError } from '../common/api-docs';
import { assertOwn, UserIdPipe } from '../common/ownership';
import { CurrentPrincipal, Principal, UserAuth } from '../common/user.guard';
import { CreatedUserDto, CreateUserDto, EventsAcceptedDto, FeedTokenDto, InterestsDto, UserDto, UserEventsDto } from './users.dto';
import { UsersService } from './users.service';

const ApiUnknownUser = () => ApiError(404, 'unknown user (or an id that is not a UUID)');

@ApiTags('users')
@Controller('v1/users')
@ApiDatabaseErrors()
@ApiCallerErrors()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @ApiOperation({ summary: 'Create a user; the response holds their token, which is never shown again' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  @ApiBodyErrors()
  create(@Body() body: CreateUserDto): Promise<CreatedUserDto> {
    return this.users.create(body.name ?? null);
  }

  @Get(':id')
  @UserAuth()
  @ApiOperation({ summary: 'The user: name, feed token, interests, counts of events, saved and dismissed papers' })
  @ApiOkResponse({ type: UserDto })
  @ApiUnknownUser()
  get(@Param('id', UserIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<UserDto> {
    assertOwn(principal, id);
    return this.users.get(id);
  }

  @Post(':id/events')
  @HttpCode(202)
  @UserAuth()
  @ApiOperation({ summary: 'Record views, clicks, saves, upvotes and dismissals (1–500); the next feed reflects them' })
  @ApiAcceptedResponse({ type: EventsAcceptedDto })
  @ApiBodyErrors('an unknown paper id, a time in the future or a bad field; nothing is written')
  @ApiUnknownUser()
  recordEvents(
    @Param('id', UserIdPipe) id: string,
    @Body() body: UserEventsDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<EventsAcceptedDto> {
    assertOwn(principal, id);
    return this.users.recordEvents(id, body.events);
  }

  @Put(':id/interests')
  @UserAuth()
  @ApiOperation({ summary: 'Replace the stated interests (categories, keywords, authors, papers, muted keywords)' })
  @ApiOkResponse({ type: UserDto, description: 'the user with the new interests' })
  @ApiBodyErrors('an unknown paper id or a bad field; nothing is written')
  @ApiUnknownUser()
  setInterests(
    @Param('id', UserIdPipe) id: string,
    @Body() body: InterestsDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserDto> {
    assertOwn(principal, id);
    return this.users.setInterests(id, body);
  }

  @Post(':id/feed-token')
  @HttpCode(201)
  @UserAuth()
  @ApiOperation({ summary: 'Replace the feed token (the old Atom URL stops working)' })
  @ApiCreatedResponse({ type: FeedTokenDto })
  @ApiUnknownUser()
  rotateFeedToken(@Param('id', UserIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<FeedTokenDto> {
    assertOwn(principal, id);
    return this.users.rotateFeedToken(id);
  }
}
