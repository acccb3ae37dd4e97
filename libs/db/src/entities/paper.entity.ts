import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One paper, whatever source and version it came from (one row per arXiv id). */
@Entity({ name: 'papers' })
export class PaperEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** arXiv version number of the stored text; null for papers without arXiv versions. */
  @Column({ type: 'int', nullable: true })
  version!: number | null;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  abstract!: string;

  @Column({ type: 'text', array: true })
  authors!: string[];

  @Column({ type: 'text', array: true })
  categories!: string[];

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /** Upvotes the source reported (e.g. Hugging Face). */
  @Column({ name: 'source_upvotes', type: 'int' })
  sourceUpvotes!: number;

  /** Upvotes of our own users (one per user, in paper_upvotes). */
  @Column({ name: 'user_upvotes', type: 'int' })
  userUpvotes!: number;

  /** source_upvotes + user_upvotes (generated). */
  @Column({ type: 'int', insert: false, update: false })
  upvotes!: number;

  /** log2 of the decayed sum of signals at a fixed epoch: see libs/ranking/src/trending.ts. */
  @Column({ name: 'trending_score', type: 'double precision' })
  trendingScore!: number;

  /** sha256 of the embedded text; a change invalidates the paper's embeddings. */
  @Column({ name: 'text_hash', type: 'text' })
  textHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
