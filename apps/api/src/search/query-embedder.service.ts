import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { Embedder, embedderOptionsFrom, isUsableVector, OffLoopEmbedder } from '@paperfeed/embeddings';

const CACHE_SIZE = 1000;

/**
 * The api's own embedder for search queries: a worker thread of this process, so a query never
 * waits behind the ingestion backlog of the embed queue. Repeated queries come from an LRU cache.
 */
@Injectable()
export class QueryEmbedder implements OnModuleInit, OnApplicationShutdown {
  private embedder: Embedder | undefined;
  private readonly cache = new Map<string, Float32Array | null>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    // One inference thread is plenty for short queries and leaves the cores to the workers.
    this.embedder = await OffLoopEmbedder.start({ ...embedderOptionsFrom(this.config), threads: 1, batchSize: 1 }, 'thread');
  }

  get modelKey(): string {
    return this.embedder!.modelKey;
  }

  /** The query's vector, or null when the model gives no usable one (e.g. only unknown tokens). */
  async embed(query: string): Promise<Float32Array | null> {
    const key = query.trim().toLowerCase();
    if (this.cache.has(key)) {
      const cached = this.cache.get(key)!;
      this.cache.delete(key); // re-insert: most recently used last
      this.cache.set(key, cached);
      return cached;
    }
    const [vector] = await this.embedder!.embed([query]);
    const usable = isUsableVector(vector) ? vector : null;
    this.cache.set(key, usable);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return usable;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedder?.close();
  }
}
