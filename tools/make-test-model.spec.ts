import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../test/support/env';
import { buildVocabulary, TOPICS, writeTestModel } from './make-test-model';

describe('make-test-model', () => {
  it('writes the same bytes every time', () => {
    const a = tempDir('model-a');
    const b = tempDir('model-b');
    writeTestModel(a);
    writeTestModel(b);
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      expect(fs.readFileSync(path.join(a, file)).equals(fs.readFileSync(path.join(b, file)))).toBe(true);
    }
  });

  it('has every topic word, and characters so that no word is unknown', () => {
    const vocab = buildVocabulary();
    expect(new Set(vocab).size).toBe(vocab.length);
    for (const word of Object.values(TOPICS).flat()) expect(vocab).toContain(word);
    expect(vocab).toContain('##z');
    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  });
});
