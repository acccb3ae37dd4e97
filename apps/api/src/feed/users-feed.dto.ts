import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { USER_EVENT_TYPES, UserEventType } from '@paperfeed/db';
import { PageQuery } from '../common/list.dto';
import { PAPER_ID_PATTERN } from '../ingest/ingest-papers.dto';
import { CATEGORY_PATTERN, CategoryFilter } from '../papers/papers.query';

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

export class FeedQueryDto extends PageQuery {
  @CategoryFilter()
  category?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'only papers published at or after (a date or date-time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}

export class FeedAtomQueryDto {
  @ApiProperty({ description: "the user's feed token (GET /v1/users/:id)" })
  @IsString()
  @Length(1, 200)
  token!: string;
}
