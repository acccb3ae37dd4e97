import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { USER_EVENT_TYPES, UserEventType } from '@paperfeed/db';
import { PAPER_ID_PATTERN } from '../ingest/ingest-papers.dto';
import { CATEGORY_PATTERN } from '../papers/papers-query.dto';

export class CreateUserDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class CreatedUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: "the user's bearer token; shown only here" }) token!: string;
}

export class UserEventDto {
  @ApiProperty({ example: '2501.01234' })
  @IsString()
  @Matches(PAPER_ID_PATTERN, { message: 'paperId must be a paper id' })
  paperId!: string;

  @ApiProperty({ enum: USER_EVENT_TYPES })
  @IsIn(USER_EVENT_TYPES)
  type!: UserEventType;

  @ApiPropertyOptional({ format: 'date-time', description: 'when it happened (default: now); not in the future' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class UserEventsDto {
  @ApiProperty({ type: [UserEventDto], minItems: 1, maxItems: 500 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsObject({ each: true, message: 'each of events must be an object' })
  @ValidateNested({ each: true })
  @Type(() => UserEventDto)
  events!: UserEventDto[];
}

const list = (description: string, example: string[]) => ApiPropertyOptional({ type: [String], maxItems: 100, description, example });

export class InterestsDto {
  @list('arXiv categories to follow', ['cs.LG'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(CATEGORY_PATTERN, { each: true, message: 'categories must be classes such as cs.LG' })
  categories?: string[];

  @list('words or phrases to follow', ['diffusion models'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  keywords?: string[];

  @list('authors to follow, yourself included: their papers seed the feed', ['Ada Lovelace'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  authors?: string[];

  @list('papers you like (ids): they seed the feed', ['2501.01234'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(PAPER_ID_PATTERN, { each: true, message: 'papers must be paper ids' })
  papers?: string[];

  @list('words or phrases never to see in the feed', ['crypto'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  mutedKeywords?: string[];
}

/** The stated interests, as stored (every list present, possibly empty). */
export class UserInterestsDto {
  @ApiProperty({ type: [String], example: ['cs.LG'] }) categories!: string[];
  @ApiProperty({ type: [String], example: ['diffusion models'] }) keywords!: string[];
  @ApiProperty({ type: [String], example: ['Ada Lovelace'] }) authors!: string[];
  @ApiProperty({ type: [String], example: ['2501.01234'] }) papers!: string[];
  @ApiProperty({ type: [String], example: ['crypto'] }) mutedKeywords!: string[];
}

export class UserCountsDto {
  @ApiProperty({ description: 'events recorded' }) events!: number;
  @ApiProperty({ description: 'papers saved' }) saved!: number;
  @ApiProperty({ description: 'papers dismissed' }) dismissed!: number;
}

/** A user as GET /v1/users/:id shows them. */
export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ description: 'the ?token= of GET /v1/users/:id/feed.atom' }) feedToken!: string;
  @ApiProperty({ type: UserInterestsDto }) interests!: UserInterestsDto;
  @ApiProperty({ type: UserCountsDto }) counts!: UserCountsDto;
}

export class EventsAcceptedDto {
  @ApiProperty({ description: 'how many events were recorded' }) accepted!: number;
}

export class FeedTokenDto {
  @ApiProperty({ description: 'the new feed token; the old one is refused from now on' }) feedToken!: string;
}
