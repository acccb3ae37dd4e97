import * as path from 'node:path';
import { writeTestModel } from '../tools/make-test-model';

/** Writes the deterministic test model once per run; every test loads it through transformers.js. */
export default async function globalSetup(): Promise<void> {
  writeTestModel(path.join(__dirname, '..', '.test-data', 'test-model'));
}
