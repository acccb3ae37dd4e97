import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir, TEST_MODEL_DIR } from '../../../test/support/env';
import { EmbedderOptions } from './embedder';
import { OffLoopEmbedder } from './off-loop-embedder';
import { ModelLoadError } from './transformers-embedder';
import { isUsableVector } from './vector';

const options: EmbedderOptions = {
  model: TEST_MODEL_DIR,
  dtype: 'fp32',
  maxTokens: 256,
  batchSize: 2,
  threads: 1,
  cacheDir: tempDir('models'),
  allowRemoteModels: false,
};

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe.each(['thread', 'process'] as const)('OffLoopEmbedder (%s) with the test model', (runner) => {
  let embedder: OffLoopEmbedder;

  beforeAll(async () => {
    embedder = await OffLoopEmbedder.start(options, runner);
  });

  afterAll(() => embedder.close());

  it('reports the model key and dimension', () => {
    expect(embedder.modelKey).toBe(`${TEST_MODEL_DIR}@fp32`);
    expect(embedder.dimensions).toBe(32);
  });

  it('embeds similar texts close together and returns vectors in input order', async () => {
    const texts = [
      'Graph neural networks pass messages between nodes along edges',
      'A robot learns grasping with a gripper for manipulation',
      'Message passing on graphs: a gnn over nodes and edges',
      'Robotic manipulation and grasp planning',
      'Short',
    ];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(5);
    for (const v of vectors) {
      expect(v).toHaveLength(32);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(cosine(vectors[0], vectors[2])).toBeGreaterThan(0.8);
    expect(cosine(vectors[1], vectors[3])).toBeGreaterThan(0.8);
    expect(cosine(vectors[0], vectors[1])).toBeLessThan(0.3);
    // Batching sorts by length internally; each text still gets its own vector.
    const [alone] = await embedder.embed([texts[2]]);
    expect(cosine(alone, vectors[2])).toBeCloseTo(1, 5);
  });

  it('gives a degenerate vector for text with no known token (callers must not store it)', async () => {
    const [punctuation] = await embedder.embed(['?!?! ...']);
    expect(isUsableVector(punctuation)).toBe(false);
  });
});

// onnxruntime-node's addon loads in one worker thread per process, once: these use child processes.
describe('OffLoopEmbedder model loading', () => {
  it('names the missing file when the dtype has no weights in a local folder', async () => {
    const folder = tempDir('model');
    fs.cpSync(TEST_MODEL_DIR, folder, { recursive: true });
    fs.rmSync(path.join(folder, 'onnx', 'model_quantized.onnx'));
    const start = OffLoopEmbedder.start({ ...options, model: folder, dtype: 'q8' }, 'process');
    await expect(start).rejects.toThrow(ModelLoadError);
    await expect(OffLoopEmbedder.start({ ...options, model: folder, dtype: 'q8' }, 'process')).rejects.toThrow(
      /EMBEDDING_DTYPE=q8 needs .*model_quantized\.onnx, which is missing/,
    );
  });

  it('refuses to download a hub model when remote models are forbidden', async () => {
    await expect(OffLoopEmbedder.start({ ...options, model: 'Xenova/not-in-the-cache' }, 'process')).rejects.toThrow(
      /EMBEDDING_MODEL "Xenova\/not-in-the-cache" could not be loaded .*ALLOW_REMOTE_MODELS=false forbids downloading it/,
    );
  });
});
