import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One embedding model's vector space. Vectors of different spaces never meet: each space has its
 * own partial HNSW index, created by paperfeed_ensure_embedding_space() (see the migrations).
 */
@Entity({ name: 'embedding_spaces' })
export class EmbeddingSpaceEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** EMBEDDING_MODEL and dtype, e.g. "Xenova/all-MiniLM-L6-v2@q8". */
  @Column({ type: 'text', unique: true })
  model!: string;

  @Column({ type: 'int' })
  dimensions!: number;
}
