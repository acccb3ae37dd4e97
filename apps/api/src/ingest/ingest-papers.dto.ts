import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const PAPER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export class PushedPaperDto {
  @ApiProperty({ example: '2501.01234v2', description: 'arXiv id (version is split off) or any id matching the pattern' })
  @IsString()
  @Matches(PAPER_ID_PATTERN, { message: 'id must match ^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$' })
  id!: string;

  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @ApiProperty({ minLength: 1, maxLength: 20000 })
  @IsString()
  @Length(1, 20000)
  @Matches(/\S/, { message: 'abstract must not be blank' })
  abstract!: string;

  @ApiProperty({ type: [String], maxItems: 5000 })
  @IsArray()
  @ArrayMaxSize(5000)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  authors!: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    description: 'primary category first; arXiv, ACM or MSC classes ("cs.LG", "I.2.6", "68T05"); "a; b" lists are split',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  categories?: string[];

  @ApiProperty({ example: '2025-01-02T00:00:00Z', description: 'ISO 8601' })
  @IsString()
  @IsISO8601({ strict: true })
  publishedAt!: string;

  @ApiPropertyOptional({ example: 'https://arxiv.org/abs/2501.01234' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  upvotes?: number;

  @ApiPropertyOptional({
    example: '10.1063/1.4944470',
    maxLength: 300,
    description:
      'DOI (10.NNNN/suffix, case-insensitive; a https://doi.org/ or doi: prefix is dropped); a paper stored with this DOI is this paper',
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  @Matches(/^\s*(?:(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*))?10\.\d{4,9}\/\S+\s*$/i, { message: 'doi must look like 10.NNNN/suffix' })
  doi?: string;
}

export class IngestPapersDto {
  @ApiProperty({ type: [PushedPaperDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsObject({ each: true, message: 'each of papers must be an object' })
  @ValidateNested({ each: true })
  @Type(() => PushedPaperDto)
  papers!: PushedPaperDto[];
}

export class JobAcceptedDto {
  @ApiProperty() jobId!: string;
}
