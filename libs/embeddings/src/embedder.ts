import { AppConfig } from '@paperfeed/config';

/** Turns texts into unit vectors. Implementations may block; callers use the off-loop runner. */
export interface Embedder {
  /** Model key stored beside every vector: EMBEDDING_MODEL and dtype. */
  readonly modelKey: string;
  readonly dimensions: number;
  /** One vector per text, in input order. A vector may be degenerate: check isUsableVector. */
  embed(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface EmbedderOptions {
  /** A Hugging Face model id, or a path to a local model folder. */
  model: string;
  dtype: string;
  /** Tokens kept per text; longer texts are truncated. */
  maxTokens: number;
  batchSize: number;
  threads: number;
  cacheDir: string;
  allowRemoteModels: boolean;
  /**
   * Niceness of the inference threads (0 normal, up to 19 lowest). Background embedding yields the
   * CPU to request handling on the same machine; the api's query embedder keeps 0.
   */
  niceness?: number;
}

export function modelKeyOf(options: Pick<EmbedderOptions, 'model' | 'dtype'>): string {
  return `${options.model}@${options.dtype}`;
}

/** The embedder the configuration asks for (worker and api load the same model). */
export function embedderOptionsFrom(config: AppConfig): EmbedderOptions {
  return {
    model: config.embeddingModel,
    dtype: config.embeddingDtype,
    maxTokens: config.embedMaxTokens,
    batchSize: config.embedBatchSize,
    threads: config.embedThreads,
    cacheDir: config.modelCacheDir,
    allowRemoteModels: config.allowRemoteModels,
  };
}
