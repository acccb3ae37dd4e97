import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A paper's vector in one embedding space. Written and read with SQL (pgvector operators). */
@Entity({ name: 'paper_embeddings' })
export class PaperEmbeddingEntity {
  @PrimaryColumn({ name: 'paper_id', type: 'text' })
  paperId!: string;

  @PrimaryColumn({ name: 'space_id', type: 'int' })
  spaceId!: number;

  /** The papers.text_hash this vector was computed from. */
  @Column({ name: 'text_hash', type: 'text' })
  textHash!: string;

  @Column({ type: 'text', select: false })
  embedding!: string;
}
