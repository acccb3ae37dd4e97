import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { PAPER_SORTS, PaperSort } from '@paperfeed/db';
import { PageQuery } from '../common/list.dto';

@ValidatorConstraint({ name: 'calendarDate' })
class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }

  defaultMessage(): string {
    return 'date must be a calendar date YYYY-MM-DD';
  }
}

export const CATEGORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An optional `?category=` filter (arXiv, ACM or MSC class). */
export const CategoryFilter = () =>
  applyDecorators(
    ApiPropertyOptional({ example: 'cs.LG' }),
    IsOptional(),
    Matches(CATEGORY_PATTERN, { message: 'category must be a class such as cs.LG' }),
  );

export class ListPapersQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2025-01-15', description: 'UTC day of publication; all days when absent' })
  @IsOptional()
  @Validate(IsCalendarDate)
  date?: string;

  @ApiPropertyOptional({
    enum: PAPER_SORTS,
    default: 'recent',
    description: 'recent: newest first; upvotes: most upvoted; trending: upvotes and interactions decayed by age (half-life 24 h)',
  })
  @IsOptional()
  @IsIn(PAPER_SORTS)
  sort: PaperSort = 'recent';

  @CategoryFilter()
  category?: string;
}

export class SimilarQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;
}

export const ATOM_SORTS = ['trending', 'recent'] as const;

export class PapersAtomQuery {
  @CategoryFilter()
  category?: string;

  @ApiPropertyOptional({ enum: ATOM_SORTS, default: 'recent' })
  @IsOptional()
  @IsIn(ATOM_SORTS)
  sort: (typeof ATOM_SORTS)[number] = 'recent';
}
