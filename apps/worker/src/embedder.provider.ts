import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EmbeddingSpace, EmbeddingSpacesStore } from '@paperfeed/db';
import { Embedder, embedderOptionsFrom, OffLoopEmbedder } from '@paperfeed/embeddings';

/** The worker's model, loaded off the event loop at boot, and the embedding space it writes to. */
@Injectable()
export class EmbeddingRuntime implements OnApplicationShutdown {
  private loaded: { embedder: Embedder; space: EmbeddingSpace } | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly spaces: EmbeddingSpacesStore,
  ) {}

  async start(): Promise<void> {
    // Niceness 10: a paper waiting for its vector can wait; a reader waiting for a page cannot.
    const embedder = await OffLoopEmbedder.start({ ...embedderOptionsFrom(this.config), niceness: 10 }, this.config.embedRunner);
    const space = await this.spaces.ensure(embedder.modelKey, embedder.dimensions);
    this.loaded = { embedder, space };
  }

  get embedder(): Embedder {
    if (!this.loaded) throw new Error('embedding model not loaded');
    return this.loaded.embedder;
  }

  get space(): EmbeddingSpace {
    if (!this.loaded) throw new Error('embedding model not loaded');
    return this.loaded.space;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loaded?.embedder.close();
  }
}
