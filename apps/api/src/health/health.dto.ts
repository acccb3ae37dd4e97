import { ApiProperty } from '@nestjs/swagger';

export class LiveDto {
  @ApiProperty({ enum: ['ok'] }) status!: string;
}

export class ReadinessChecksDto {
  @ApiProperty({ example: 'up', description: '"up", or "down: <why>"' }) database!: string;
  @ApiProperty({ example: 'up', description: '"up", or "down: <why>"' }) redis!: string;
}

/** /health/ready's body, 200 and 503 alike: which dependency answers and which does not. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: string;
  @ApiProperty({ type: ReadinessChecksDto }) checks!: ReadinessChecksDto;
}
