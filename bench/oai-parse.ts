/**
 * Issue #3 figure: OAI-PMH parsing speed (parse + normalize, no I/O) on the two 1,000-record
 * fixtures, against the bare XML parse of the same documents in the same run.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/oai-parse.ts [rounds=5]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseOaiListRecords } from '@paperfeed/sources';
import { SHARED_DIR } from '../tools/arxiv-data';
import { median } from './support';

const ROUNDS = Number(process.argv[2] ?? 5);
const REPEAT = 10;
const files = ['oai_listrecords_arXivRaw_2014_mispy-arxivsync.xml', 'oai_listrecords_arXiv_2013_mispy-arxivsync.xml'];
const documents = files.map((f) => fs.readFileSync(path.join(SHARED_DIR, 'data', 'fixtures', f), 'utf8'));
const bare = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false });

function rate(work: (xml: string) => number): number {
  const started = performance.now();
  let records = 0;
  for (let i = 0; i < REPEAT; i++) for (const xml of documents) records += work(xml);
  return records / ((performance.now() - started) / 1000);
}

const full: number[] = [];
const xmlOnly: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  full.push(rate((xml) => parseOaiListRecords(xml).records.filter((r) => r.ok).length));
  xmlOnly.push(rate((xml) => bare.parse(xml)['OAI-PMH'].ListRecords.record.length));
  console.log(
    `round ${round}: parse + normalize ${full.at(-1)!.toFixed(0)} records/s; bare XML parse ${xmlOnly.at(-1)!.toFixed(0)} records/s`,
  );
}
console.log(`\nOAI-PMH, 2 × 1,000-record fixtures × ${REPEAT} per round, medians of ${ROUNDS}`);
console.log(`parse + normalize: ${median(full).toFixed(0)} records/s (target ≥ 5,000)`);
console.log(`bare fast-xml-parser parse: ${median(xmlOnly).toFixed(0)} records/s`);
