import * as fs from 'node:fs';
import * as path from 'node:path';
import { StartupError } from '@paperfeed/config';
import { Embedder, EmbedderOptions, modelKeyOf } from './embedder';

/** Raised when the configured model cannot be loaded; the message says what to change. */
export class ModelLoadError extends StartupError {}

type FeatureExtractor = ((texts: string[], options: object) => Promise<{ data: Float32Array; dims: number[] }>) & {
  tokenizer: { model_max_length: number };
  dispose(): Promise<void>;
};

const ONNX_FILE_BY_DTYPE: Record<string, string> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
  bnb4: 'model_bnb4.onnx',
  q4f16: 'model_q4f16.onnx',
};

function isLocalFolder(model: string): boolean {
  return path.isAbsolute(model) || model.startsWith('.') || fs.existsSync(path.join(model, 'config.json'));
}

/**
 * transformers.js feature extraction with mean pooling and L2 normalisation, as
 * sentence-transformers does for MiniLM. Blocks the event loop while it runs: use it through
 * OffLoopEmbedder (a worker thread or child process).
 */
export class TransformersEmbedder implements Embedder {
  readonly modelKey: string;

  private constructor(
    private readonly extractor: FeatureExtractor,
    readonly dimensions: number,
    private readonly options: EmbedderOptions,
  ) {
    this.modelKey = modelKeyOf(options);
  }

  static async load(options: EmbedderOptions): Promise<TransformersEmbedder> {
    const local = isLocalFolder(options.model);
    let modelId = options.model;
    if (local) {
      const folder = path.resolve(options.model);
      const onnxFile = path.join(folder, 'onnx', ONNX_FILE_BY_DTYPE[options.dtype] ?? 'model.onnx');
      if (!fs.existsSync(path.join(folder, 'config.json'))) {
        throw new ModelLoadError(`EMBEDDING_MODEL folder ${folder} has no config.json`);
      }
      if (!fs.existsSync(onnxFile)) {
        throw new ModelLoadError(
          `EMBEDDING_DTYPE=${options.dtype} needs ${onnxFile}, which is missing (this folder has: ${fs.readdirSync(path.join(folder, 'onnx')).join(', ')}; fp32 is model.onnx)`,
        );
      }
      modelId = path.basename(folder);
    }
    // Imported only now: loading onnxruntime's native addon is the slow part, and bad settings above fail first.
    const { env, pipeline } = await import('@huggingface/transformers');
    if (local) {
      env.allowRemoteModels = false;
      env.localModelPath = path.dirname(path.resolve(options.model));
    } else {
      env.allowRemoteModels = options.allowRemoteModels;
      env.localModelPath = options.cacheDir;
      env.cacheDir = options.cacheDir;
    }
    let extractor: FeatureExtractor;
    try {
      extractor = (await pipeline('feature-extraction', modelId, {
        dtype: options.dtype as 'q8',
        device: 'cpu',
        session_options: { intraOpNumThreads: options.threads, interOpNumThreads: 1 },
      })) as unknown as FeatureExtractor;
    } catch (error) {
      const hint = options.allowRemoteModels
        ? 'check the model id and network access, or set EMBEDDING_MODEL to a local model folder'
        : `ALLOW_REMOTE_MODELS=false forbids downloading it: put it in MODEL_CACHE_DIR (${options.cacheDir}) or set EMBEDDING_MODEL to a local model folder`;
      throw new ModelLoadError(
        `EMBEDDING_MODEL "${options.model}" could not be loaded (${(error as Error).message.split('\n')[0]}); ${hint}`,
      );
    }
    extractor.tokenizer.model_max_length = Math.min(extractor.tokenizer.model_max_length, options.maxTokens);
    const probe = await extractor(['dimension probe'], { pooling: 'mean', normalize: true });
    return new TransformersEmbedder(extractor, probe.dims[1], options);
  }

  /**
   * Embeds in batches of texts of similar length (sorted by length, so padding is small), and
   * returns the vectors in input order.
   */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const order = texts.map((_, index) => index).sort((a, b) => texts[a].length - texts[b].length);
    const vectors = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.options.batchSize) {
      const indexes = order.slice(start, start + this.options.batchSize);
      const output = await this.extractor(
        indexes.map((i) => texts[i]),
        { pooling: 'mean', normalize: true },
      );
      const dim = output.dims[1];
      indexes.forEach((textIndex, row) => {
        vectors[textIndex] = output.data.slice(row * dim, (row + 1) * dim);
      });
    }
    return vectors;
  }

  async close(): Promise<void> {
    await this.extractor.dispose();
  }
}
