import { ApiProperty } from '@nestjs/swagger';
import { StoredPaper } from '@paperfeed/db';

/** A paper as the API returns it (CONTRACT.md, "Paper"). */
export class PaperDto {
  @ApiProperty({ example: '2501.01234' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() abstract!: string;
  @ApiProperty({ type: [String] }) authors!: string[];
  @ApiProperty({ type: [String], example: ['cs.LG', 'stat.ML'] }) categories!: string[];
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'https://arxiv.org/abs/2501.01234' }) url!: string | null;
  @ApiProperty() upvotes!: number;
  @ApiProperty({ description: 'true once the embedding is stored and the paper can appear in similarity results' })
  indexed!: boolean;
}

export function toPaperDto(paper: StoredPaper): PaperDto {
  return {
    id: paper.id,
    title: paper.title,
    abstract: paper.abstract,
    authors: paper.authors,
    categories: paper.categories,
    publishedAt: paper.publishedAt.toISOString(),
    url: paper.url,
    upvotes: paper.upvotes,
    indexed: paper.indexed,
  };
}

export class PaperPageDto {
  @ApiProperty({ type: [PaperDto] }) items!: PaperDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ScoredPaperDto {
  @ApiProperty({ type: PaperDto }) paper!: PaperDto;
  @ApiProperty({ description: 'cosine similarity, higher is closer' }) score!: number;
}

export class SimilarPapersDto {
  @ApiProperty({ type: [ScoredPaperDto] }) items!: ScoredPaperDto[];
}

export class UpvotesDto {
  @ApiProperty({ description: "the paper's upvotes after the change" }) upvotes!: number;
}
