import { DataSource } from 'typeorm';

export interface EmbeddingSpace {
  id: number;
  model: string;
  dimensions: number;
}

/** Embedding spaces: one per model key, each with its own HNSW index. */
export class EmbeddingSpacesStore {
  private known = new Map<string, EmbeddingSpace>();

  constructor(private readonly dataSource: DataSource) {}

  /** Creates the space and its index if missing (idempotent, safe across processes). */
  async ensure(model: string, dimensions: number): Promise<EmbeddingSpace> {
    const rows: { id: number }[] = await this.dataSource.query(`SELECT paperfeed_ensure_embedding_space($1, $2) AS id`, [
      model,
      dimensions,
    ]);
    const space = { id: Number(rows[0].id), model, dimensions };
    this.known.set(model, space);
    return space;
  }

  /** The space of a model, or null while no worker has embedded anything with it. */
  async find(model: string): Promise<EmbeddingSpace | null> {
    const cached = this.known.get(model);
    if (cached) return cached;
    const rows: { id: number; dimensions: number }[] = await this.dataSource.query(
      `SELECT id, dimensions FROM embedding_spaces WHERE model = $1`,
      [model],
    );
    if (!rows[0]) return null;
    const space = { id: Number(rows[0].id), model, dimensions: Number(rows[0].dimensions) };
    this.known.set(model, space);
    return space;
  }
}
