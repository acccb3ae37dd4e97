import { ApiProperty } from '@nestjs/swagger';
import { QUEUES } from '@paperfeed/queue';

export class QueueCountsDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() completed!: number;
  @ApiProperty({ description: 'dead letters: jobs that failed for good' }) failed!: number;
}

/** A queue as operators see it. */
export class QueueOverviewDto {
  @ApiProperty({ enum: QUEUES }) name!: string;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ type: QueueCountsDto }) counts!: QueueCountsDto;
}

export class RetriedQueueDto extends QueueOverviewDto {
  @ApiProperty({ description: 'failed jobs moved back to waiting' }) retried!: number;
}
