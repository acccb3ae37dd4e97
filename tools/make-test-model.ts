/**
 * Writes a small, deterministic feature-extraction model folder that @huggingface/transformers
 * loads offline like any BERT model: config.json, tokenizer.json (BertNormalizer, BertPreTokenizer,
 * WordPiece, [CLS]/[SEP] template), tokenizer_config.json and onnx/model.onnx (fp32) plus an
 * identical onnx/model_quantized.onnx so the default dtype (q8) loads too.
 *
 * The graph is one Gather: last_hidden_state[b, s, :] = table[input_ids[b, s]]. Mean pooling and
 * normalisation (done by the pipeline) make a text's vector the direction of its words' sum.
 * Topic words point along their topic's axis, so texts sharing a topic come out similar; every
 * other token (common words, single characters and ## pieces, so no word is [UNK]) gets a small
 * pseudo-random vector. Specials and punctuation are [UNK]/[PAD] with zero rows: a text of only
 * punctuation yields NaN, like real static models do.
 *
 * Usage: ts-node tools/make-test-model.ts <output folder> [dimensions]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seededRandom } from './seeded-random';

/** Default width of the test model's vectors (one axis per topic, the rest noise). */
export const TEST_MODEL_DIMENSIONS = 32;

/** Words that define topic axes 0..n-1. Tests use them to build similar and dissimilar texts. */
export const TOPICS: Record<string, string[]> = {
  graphs: ['graph', 'graphs', 'node', 'nodes', 'edge', 'edges', 'gnn', 'message', 'passing'],
  vision: ['image', 'images', 'pixel', 'pixels', 'segmentation', 'detection', 'visual', 'camera', 'video'],
  language: ['language', 'text', 'token', 'tokens', 'translation', 'sentence', 'words', 'llm', 'llms'],
  robots: ['robot', 'robots', 'robotic', 'grasp', 'grasping', 'manipulation', 'locomotion', 'gripper'],
  quantum: ['quantum', 'qubit', 'qubits', 'entanglement', 'circuit', 'circuits', 'photon'],
  biology: ['protein', 'proteins', 'gene', 'genes', 'cell', 'cells', 'molecule', 'molecular', 'dna'],
  speech: ['speech', 'audio', 'acoustic', 'speaker', 'voice', 'sound', 'asr'],
  security: ['attack', 'attacks', 'adversarial', 'privacy', 'malware', 'security', 'encryption'],
};

const COMMON_WORDS = (
  'the of and a an to in for is on that with by we this are as be from at or it our which can not ' +
  'these has have was were their its using based new learning model models method methods approach ' +
  'results show paper propose proposed data performance task tasks large training network networks ' +
  'neural deep problem study analysis framework system systems set two one time also than more such ' +
  'both however while each when into over under between through all most well via use used existing'
).split(' ');

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

export function buildVocabulary(): string[] {
  const words = [...SPECIALS, ...Object.values(TOPICS).flat(), ...COMMON_WORDS, ...CHARS, ...CHARS.map((c) => `##${c}`)];
  return [...new Set(words)];
}

function buildTable(vocab: string[], dim: number): Float32Array {
  const table = new Float32Array(vocab.length * dim);
  const next = seededRandom(20251127);
  const topicOf = new Map<string, number>();
  Object.values(TOPICS).forEach((words, axis) => words.forEach((word) => topicOf.set(word, axis)));
  vocab.forEach((token, row) => {
    if (SPECIALS.includes(token)) return; // zero rows, as in real static models
    const axis = topicOf.get(token);
    for (let j = 0; j < dim; j++) {
      const noise = (next() - 0.5) * 0.2;
      table[row * dim + j] = axis === undefined ? noise : noise * 0.5 + (j === axis ? 1 : 0);
    }
  });
  return table;
}

// --- A minimal protobuf writer: just what an ONNX ModelProto with one Gather node needs. ---

function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const intField = (field: number, value: number) => [...key(field, 0), ...varint(value)];
function bytesField(field: number, bytes: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}
const stringField = (field: number, text: string) => bytesField(field, [...Buffer.from(text, 'utf8')]);

const FLOAT = 1;
const INT64 = 7;

function tensorType(elemType: number, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  const tensor = [...intField(1, elemType), ...bytesField(2, shape)];
  return bytesField(1, tensor); // TypeProto.tensor_type
}
const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => [
  ...stringField(1, name),
  ...bytesField(2, tensorType(elemType, dims)),
];

export function buildOnnxModel(table: Float32Array, vocabSize: number, dim: number): Buffer {
  const initializer = [
    ...dims([vocabSize, dim]),
    ...intField(2, FLOAT),
    ...stringField(8, 'embeddings'),
    ...bytesField(9, new Uint8Array(table.buffer, table.byteOffset, table.byteLength)),
  ];
  const node = [
    ...stringField(1, 'embeddings'),
    ...stringField(1, 'input_ids'),
    ...stringField(2, 'last_hidden_state'),
    ...stringField(3, 'gather'),
    ...stringField(4, 'Gather'),
  ];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, 'static-embedding'),
    ...bytesField(5, initializer),
    ...bytesField(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    ...bytesField(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    ...bytesField(11, valueInfo('token_type_ids', INT64, ['batch', 'sequence'])),
    ...bytesField(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', dim])),
  ];
  const model = [
    ...intField(1, 8), // ir_version
    ...stringField(2, 'paperfeed-tools'),
    ...bytesField(7, graph),
    ...bytesField(8, [...stringField(1, ''), ...intField(2, 17)]), // opset 17
  ];
  return Buffer.from(model);
}

function dims(values: number[]): number[] {
  return values.flatMap((value) => intField(1, value));
}

function tokenizerJson(vocab: string[]): object {
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((token, id) => special(id, token)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

export function writeTestModel(folder: string, dim = TEST_MODEL_DIMENSIONS): void {
  if (dim < Object.keys(TOPICS).length) throw new Error(`the test model needs at least ${Object.keys(TOPICS).length} dimensions`);
  const vocab = buildVocabulary();
  fs.mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: dim,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: 0,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: vocab.length,
    pad_token_id: 0,
  };
  const tokenizerConfig = {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: 512,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  fs.writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)));
  const onnx = buildOnnxModel(buildTable(vocab, dim), vocab.length, dim);
  fs.writeFileSync(path.join(folder, 'onnx', 'model.onnx'), onnx);
  fs.writeFileSync(path.join(folder, 'onnx', 'model_quantized.onnx'), onnx);
}

if (require.main === module) {
  const folder = process.argv[2];
  if (!folder) {
    process.stderr.write('usage: ts-node tools/make-test-model.ts <output folder>\n');
    process.exit(64);
  }
  writeTestModel(path.resolve(folder), process.argv[3] ? Number(process.argv[3]) : undefined);
  process.stdout.write(`wrote test model to ${path.resolve(folder)}\n`);
}
