import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '../common/list.dto';
import { PaperDto } from '../papers/paper.dto';
import { CategoryFilter } from '../papers/papers-query.dto';

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

/** The item is close to a paper of the user's (never the item itself). */
export class SimilarReasonDto {
  @ApiProperty({ enum: ['similar'] }) type!: 'similar';
  @ApiProperty({ description: "the user's paper it is close to", example: '2501.01234' }) paperId!: string;
  @ApiProperty({ description: "that paper's title", example: 'Graph neural networks' }) title!: string;
}

export class CategoryReasonDto {
  @ApiProperty({ enum: ['interest'] }) type!: 'interest';
  @ApiProperty({ description: 'a followed category', example: 'cs.LG' }) category!: string;
}

export class KeywordReasonDto {
  @ApiProperty({ enum: ['interest'] }) type!: 'interest';
  @ApiProperty({ description: 'a followed keyword', example: 'diffusion models' }) keyword!: string;
}

export class AuthorReasonDto {
  @ApiProperty({ enum: ['interest'] }) type!: 'interest';
  @ApiProperty({ description: 'a followed author', example: 'Ada Lovelace' }) author!: string;
}

export class TrendingReasonDto {
  @ApiProperty({ enum: ['trending'] }) type!: 'trending';
}

export class FreshReasonDto {
  @ApiProperty({ enum: ['fresh'] }) type!: 'fresh';
}

const REASONS = [SimilarReasonDto, CategoryReasonDto, KeywordReasonDto, AuthorReasonDto, TrendingReasonDto, FreshReasonDto];

export type FeedReasonDto = SimilarReasonDto | CategoryReasonDto | KeywordReasonDto | AuthorReasonDto | TrendingReasonDto | FreshReasonDto;

@ApiExtraModels(...REASONS)
export class FeedItemDto {
  @ApiProperty({ type: PaperDto }) paper!: PaperDto;
  @ApiProperty({ description: 'higher ranks first' }) score!: number;
  @ApiProperty({
    description: 'why the paper is in the feed',
    type: 'array',
    items: { oneOf: REASONS.map((reason) => ({ $ref: getSchemaPath(reason) })) },
  })
  reasons!: FeedReasonDto[];
}

/** A page of the feed, best first. */
export class FeedPageDto {
  @ApiProperty({ type: [FeedItemDto] }) items!: FeedItemDto[];
  @ApiProperty({ nullable: true, type: String, description: 'the next page, or null when the ranked candidates run out' }) nextCursor!:
    string | null;
}
