import { ApiProperty } from '@nestjs/swagger';
import { ScoredPaperDto } from '../papers/paper.dto';

/** A page of search results, best first. */
export class SearchPageDto {
  @ApiProperty({ type: [ScoredPaperDto] }) items!: ScoredPaperDto[];
  @ApiProperty({ nullable: true, type: String, description: 'the next page, or null after the last' }) nextCursor!: string | null;
}
