import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQuery } from '../common/list.dto';
import { CategoryFilter } from '../papers/papers-query.dto';

export const SEARCH_MODES = ['hybrid', 'semantic', 'keyword'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export class SearchQuery extends PageQuery {
  @ApiProperty({ minLength: 1, maxLength: 500, description: 'words, "quoted phrases", -excluded words; or a pasted abstract' })
  @IsString()
  @Length(1, 500)
  @Matches(/\S/, { message: 'q must not be blank' })
  q!: string;

  @ApiPropertyOptional({
    enum: SEARCH_MODES,
    default: 'hybrid',
    description: 'hybrid fuses keyword and semantic results by reciprocal rank',
  })
  @IsOptional()
  @IsIn(SEARCH_MODES)
  mode: SearchMode = 'hybrid';

  @CategoryFilter()
  category?: string;

  @ApiPropertyOptional({ example: '2025-01-01', description: 'published on or after (date or date-time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2025-01-31', description: 'published on or before (a date includes that whole day)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
