import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { CATEGORY_PATTERN } from '../papers/papers-query.dto';

export const CADENCES = ['daily', 'weekly'] as const;
export type Cadence = (typeof CADENCES)[number];

export class SubscribeDto {
  @ApiProperty({ example: 'ada@example.org' })
  @IsString()
  @MaxLength(254)
  @IsEmail({ allow_display_name: false, require_tld: true })
  email!: string;

  @ApiProperty({ enum: CADENCES })
  @IsIn(CADENCES)
  cadence!: Cadence;

  @ApiPropertyOptional({ format: 'uuid', description: "the digest is this user's feed (needs that user's token or the admin's)" })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ description: 'words the papers must contain (full-text syntax)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  query?: string;

  @ApiPropertyOptional({ type: [String], example: ['cs.LG'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(CATEGORY_PATTERN, { each: true, message: 'categories must be classes such as cs.LG' })
  categories?: string[];
}

export class TokenQuery {
  @ApiProperty({ description: 'the token of the link in the mail' })
  @IsString()
  @Length(1, 200)
  token!: string;
}

export class RunDigestsDto {
  @ApiProperty({ enum: CADENCES })
  @IsIn(CADENCES)
  cadence!: Cadence;
}

export class SubscribeAcceptedDto {
  @ApiProperty({
    enum: ['confirmation sent'],
    description: 'the same answer whether or not the address was subscribed already, or a mail went out',
  })
  status!: string;
}

export class ConfirmedDto {
  @ApiProperty({ enum: [true] }) subscribed!: boolean;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: CADENCES }) cadence!: string;
}

export class UnsubscribedDto {
  @ApiProperty({ enum: [true] }) unsubscribed!: boolean;
  @ApiProperty() email!: string;
}
