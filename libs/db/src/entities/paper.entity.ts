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

  @Column({ type: 'int' })
  upvotes!: number;

  /** sha256 of the embedded text; a change invalidates the paper's embeddings. */
  @Column({ name: 'text_hash', type: 'text' })
  textHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
