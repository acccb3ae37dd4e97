import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_DIR } from '../../../tools/arxiv-data';
import { parseArxivApi } from './arxiv-atom';
import { parseHfDailyPapers } from './hf-daily';
import { parseOaiListRecords, splitAuthorList } from './oai-pmh';
import { MalformedDocumentError, ParsedRecord } from './records';
import { parseFeed } from './rss';

const fixture = (name: string) => fs.readFileSync(path.join(SHARED_DIR, 'data', 'fixtures', name), 'utf8');
const papers = (records: ParsedRecord[]) => records.map((r) => (r.ok ? r.paper : undefined)).filter((p) => p !== undefined);

describe('arXiv API (Atom)', () => {
  it('reads the legacy format (id_list query, 2020)', () => {
    const page = parseArxivApi(fixture('arxiv_api_idlist_1601.00001_2020_zoia.xml'));
    expect(page).toMatchObject({ totalResults: 1, startIndex: 0 });
    const [paper] = papers(page.records);
    expect(paper).toMatchObject({
      id: '1601.00001',
      version: 1,
      title: 'Inelastic effects in molecular transport junctions: The probe technique at high bias',
      authors: ['Michael Kilgour', 'Dvira Segal'],
      categories: ['cond-mat.mes-hall'],
      url: 'https://arxiv.org/abs/1601.00001',
    });
    expect(paper.publishedAt.toISOString()).toBe('2015-12-26T21:19:45.000Z');
    // <arxiv:doi>10.1063/1.4944470</arxiv:doi>
    expect(paper.doi).toBe('10.1063/1.4944470');
  });

  it('reads the legacy format with paging fields and multi-category entries (2025)', () => {
    const page = parseArxivApi(fixture('arxiv_api_query_cs.RO_2025-10_xiv.xml'));
    expect(page).toMatchObject({ totalResults: 5619, startIndex: 0, itemsPerPage: 2 });
    const [first, second] = papers(page.records);
    expect(first).toMatchObject({
      id: '2510.14968',
      version: 1,
      title: 'RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks',
      authors: ['Mingxuan Yan', 'Yuping Wang', 'Zechun Liu', 'Jiachen Li'],
      categories: ['cs.RO', 'cs.AI', 'cs.CV', 'cs.LG', 'cs.SY', 'eess.SY'],
    });
    expect(first.abstract.startsWith('To tackle long-horizon tasks, recent hierarchical')).toBe(true);
    expect(first.abstract.endsWith('available at rdd-neurips.github.io.')).toBe(true);
    expect(second).toMatchObject({ id: '2510.14827', categories: ['cs.RO'] });
    // Entries without <arxiv:doi> have none.
    expect(first.doi).toBeNull();
    expect(second.authors).toHaveLength(6);
  });

  it('reads the 2026 format (namespaces on the root, https api ids, primary category without scheme)', () => {
    const page = parseArxivApi(fixture('arxiv_api_query_newformat_2026-06_sotawhat.xml'));
    expect(page).toMatchObject({ totalResults: 28946, startIndex: 0, itemsPerPage: 5 });
    expect(page.records.every((r) => r.ok)).toBe(true);
    const [first, second] = papers(page.records);
    expect(first).toMatchObject({
      id: '2606.13677',
      version: 1,
      title: 'Mana: Dexterous Manipulation of Articulated Tools',
      authors: ['Zhao-Heng Yin', 'Guanya Shi', 'Pieter Abbeel', 'C. Karen Liu'],
      categories: ['cs.RO', 'cs.AI', 'cs.CV', 'cs.LG'],
    });
    expect(first.publishedAt.toISOString()).toBe('2026-06-11T17:59:49.000Z');
    expect(first.abstract).toContain('(<1 minute per tool)');
    expect(second).toMatchObject({
      id: '2606.13591',
      categories: ['cs.AI', 'cs.LG', 'cs.MA'],
      authors: ['Ali Elahi', 'Barbara Di Eugenio'],
    });
  });

  it('rejects a bad entry by itself and keeps the rest', () => {
    const xml = fixture('arxiv_api_query_cs.RO_2025-10_xiv.xml').replace(
      '<published>2025-10-16T17:59:37Z</published>',
      '<published>not a date</published>',
    );
    const page = parseArxivApi(xml);
    expect(page.records[0]).toEqual({ ok: false, id: '2510.14968', reason: 'publication date is missing or invalid' });
    expect(page.records[1].ok).toBe(true);
  });

  it('fails a document that is not Atom, or an API error entry', () => {
    expect(() => parseArxivApi('<html><body>oops')).toThrow(MalformedDocumentError);
    const error = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format</id><title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>`;
    expect(() => parseArxivApi(error)).toThrow('arXiv API error: incorrect id format for 1234');
  });
});

describe('arXiv OAI-PMH', () => {
  it('reads arXivRaw: versions, dates, authors with affiliations, resumption token', () => {
    const page = parseOaiListRecords(fixture('oai_listrecords_arXivRaw_2014_mispy-arxivsync.xml'));
    expect(page.records).toHaveLength(1000);
    expect(page.records.every((r) => r.ok)).toBe(true);
    expect(page.resumptionToken).toBe('496549|47001');
    expect(page.completeListSize).toBe(907096);
    const [first, second] = papers(page.records);
    expect(first).toMatchObject({
      id: '0801.3673',
      version: 1,
      title: 'Variational Functionals for Excited States',
      authors: ['Naoum C. Bacalis'],
      categories: ['quant-ph'],
    });
    expect(second).toMatchObject({
      id: '0801.3674',
      version: 4,
      title: 'A Study of Structure Formation and Reheating in the D3/D7 Brane Inflation Model',
      authors: ['Robert H. Brandenberger', 'Keshav Dasgupta', 'Anne-Christine Davis'],
      categories: ['hep-th', 'astro-ph', 'gr-qc', 'hep-ph'],
    });
    expect(second.publishedAt.toISOString()).toBe('2008-01-23T21:13:53.000Z');
    expect(second.updatedAt?.toISOString()).toBe('2008-09-11T22:03:53.000Z');
    // <doi>10.1103/PhysRevD.78.083502</doi>, stored lower-case; none on the first record.
    expect(second.doi).toBe('10.1103/physrevd.78.083502');
    expect(first.doi).toBeNull();
    // A field listing two DOIs gives the first.
    expect(papers(page.records).find((p) => p.id === '0801.4125')?.doi).toBe('10.1140/epja/i2008-10623-5');
    expect(papers(page.records).filter((p) => p.doi).length).toBe(573);
  });

  it('reads arXiv: structured authors, created/updated dates', () => {
    const page = parseOaiListRecords(fixture('oai_listrecords_arXiv_2013_mispy-arxivsync.xml'));
    expect(page.records).toHaveLength(1000);
    expect(page.resumptionToken).toBe('436115|406001');
    expect(page.completeListSize).toBe(846926);
    const [first, second] = papers(page.records);
    expect(first).toMatchObject({
      id: '1302.0649',
      title: 'Correlation effects in the electronic structure of the Ni-based superconducting KNi2S2',
      authors: ['Feng Lu', 'Wei-Hua Wang', 'Xinjian Xie', 'Fu-Chun Zhang'],
      categories: ['cond-mat.supr-con'],
    });
    expect(first.publishedAt.toISOString()).toBe('2013-02-04T00:00:00.000Z');
    expect(second).toMatchObject({
      id: '1302.0650',
      authors: ['Gabriela Buica-Zloh', 'L. A. A. Nikolopoulos'],
      categories: ['physics.atom-ph'],
    });
    // <doi>10.1140/epjd/e2004-00034-2</doi>; the first record has none.
    expect(second.doi).toBe('10.1140/epjd/e2004-00034-2');
    expect(first.doi).toBeNull();
    const last = papers(page.records).at(-1)!;
    expect(last.abstract).toContain('\\text{otherwise,}\\end{cases}\\] thus improving');
  });

  it('reads a set-restricted page with updated dates and no resumption token', () => {
    const page = parseOaiListRecords(fixture('oai_listrecords_arXiv_hep-th_2017_hepcrawl.xml'));
    expect(page.records).toHaveLength(3);
    expect(page.resumptionToken).toBeNull();
    const [first] = papers(page.records);
    expect(first).toMatchObject({
      id: '1412.8323',
      authors: ['Philipp A Hoehn'],
      categories: ['quant-ph', 'gr-qc', 'hep-th', 'math-ph', 'math.MP', 'physics.hist-ph'],
    });
    expect(first.publishedAt.toISOString()).toBe('2014-12-29T00:00:00.000Z');
    expect(first.updatedAt?.toISOString()).toBe('2017-12-13T00:00:00.000Z');
    expect(papers(page.records).map((p) => p.doi)).toEqual([null, '10.1088/1751-8121/aa9c53', '10.1002/andp.201700188']);
  });

  it('treats noRecordsMatch as an empty last page and other errors as failures', () => {
    const oai = (body: string) =>
      `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2025-01-01T00:00:00Z</responseDate>${body}</OAI-PMH>`;
    expect(parseOaiListRecords(oai('<error code="noRecordsMatch">none</error>'))).toEqual({
      records: [],
      resumptionToken: null,
      completeListSize: 0,
    });
    expect(() => parseOaiListRecords(oai('<error code="badResumptionToken">expired</error>'))).toThrow(
      'OAI-PMH error badResumptionToken: expired',
    );
  });

  it('marks deleted records and records without a title as rejected', () => {
    const xml = fixture('oai_listrecords_arXiv_hep-th_2017_hepcrawl.xml')
      .replace('<header>', '<header status="deleted">')
      .replace(/<title>[^<]*<\/title>/g, (match, offset) => (offset > 3000 ? '<title></title>' : match));
    const records = parseOaiListRecords(xml).records;
    expect(records[0]).toEqual({ ok: false, id: 'oai:arXiv.org:1412.8323', reason: 'deleted at the source' });
    expect(records.filter((r) => !r.ok && r.reason === 'title is missing').length).toBeGreaterThan(0);
  });

  it('splits author strings', () => {
    expect(splitAuthorList('A. One (MIT), B. Two (Dept. (X), Y) and C. Three')).toEqual(['A. One', 'B. Two', 'C. Three']);
  });
});

describe('Hugging Face daily papers', () => {
  it('reads ids, upvotes, GitHub repos, submitters and the daily-list day', () => {
    const records = parseHfDailyPapers(fixture('hf_api_daily_papers_2026-06-12_sotawhat.json'));
    expect(records).toHaveLength(30);
    expect(records.every((r) => r.ok)).toBe(true);
    const [first, second] = papers(records);
    expect(first).toMatchObject({
      id: '2606.00467',
      title: 'On the Limits of LLM Adaptability: Impact of Model-Internalized Priors on Annotation Task Performance',
      authors: ['Etienne Casanova', 'Rafal Kocielnik', 'R. Michael Alvarez'],
      upvotes: 0,
      githubRepo: null,
      submittedBy: 'RKocielnik',
      dailyDate: '2026-06-12',
      url: 'https://arxiv.org/abs/2606.00467',
    });
    expect(first.publishedAt.toISOString()).toBe('2026-05-30T00:00:00.000Z');
    expect(second).toMatchObject({ upvotes: 5, githubRepo: 'https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs' });
  });

  it('reads the papers search response too (same item shape, no daily-list day)', () => {
    const records = parseHfDailyPapers(fixture('hf_api_papers_search_q-diffusion_fastpaper.json'));
    expect(records).toHaveLength(3);
    const [first] = papers(records);
    expect(first).toMatchObject({ id: '2006.11239', title: 'Denoising Diffusion Probabilistic Models', upvotes: 9, dailyDate: null });
    expect(first.authors.slice(0, 3)).toEqual(['Jonathan Ho', 'Ajay Jain', 'Pieter Abbeel']);
  });

  it('rejects an item without a paper and fails on something that is not a list', () => {
    expect(parseHfDailyPapers('[{"title": "x"}]')).toEqual([{ ok: false, reason: 'item has no paper' }]);
    expect(() => parseHfDailyPapers('{"error": "x"}')).toThrow(MalformedDocumentError);
    expect(() => parseHfDailyPapers('<html>')).toThrow(MalformedDocumentError);
  });
});

describe('RSS and Atom feeds', () => {
  it('reads rss.arxiv.org: id and version from the description, abstract, creators, categories, date', () => {
    const records = parseFeed(fixture('rss_cs_ai_2026-04-27_distill.xml'));
    expect(records).toHaveLength(3);
    const [first] = papers(records);
    expect(first).toMatchObject({
      id: '2604.21935',
      version: 1,
      title: 'Math Takes Two: A test for emergent mathematical reasoning in communication',
      url: 'https://arxiv.org/abs/2604.21935',
    });
    expect(first.abstract.startsWith('Although language models demonstrate remarkable proficiency')).toBe(true);
    expect(first.abstract).not.toContain('Announce Type');
    expect(first.publishedAt.toISOString()).toBe('2026-04-27T04:00:00.000Z');
  });

  it('reads every arXiv listing fixture', () => {
    for (const name of ['rss_cs_cl_2026-04-27_distill.xml', 'rss_cs_lg_2026-04-27_distill.xml']) {
      const records = parseFeed(fixture(name));
      expect(records.every((r) => r.ok)).toBe(true);
      for (const paper of papers(records)) {
        expect(paper.id).toMatch(/^\d{4}\.\d{5}$/);
        expect(paper.authors.length).toBeGreaterThan(0);
      }
    }
    const lg = papers(parseFeed(fixture('rss_cs_lg_2026-04-27_distill.xml'))).at(-1)!;
    expect(lg).toMatchObject({
      id: '2604.21956',
      categories: ['cs.LG'],
      authors: ['Michal Valko', 'Hamed Valizadegan', 'Branislav Kveton', 'Gregory F. Cooper', 'Milos Hauskrecht'],
    });
  });

  it('reads a generic Atom feed and gives non-arXiv items a stable id', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:example.org,2025:1</id><title>A blog paper</title>
      <link href="https://example.org/papers/1?x=1"/><summary>Text.</summary><author><name>Ann</name></author>
      <published>2025-02-01T10:00:00Z</published></entry></feed>`;
    const [record] = parseFeed(atom);
    expect(record.ok).toBe(true);
    const paper = (record as { paper: { id: string; url: string } }).paper;
    expect(paper.id).toMatch(/^feed:[0-9a-f]{40}$/);
    expect(paper.url).toBe('https://example.org/papers/1?x=1');
    expect(parseFeed(atom)).toEqual([record]);
  });

  it('fails on a document that is neither RSS nor Atom', () => {
    expect(() => parseFeed('<html><p>hi</p></html>')).toThrow('feed: neither RSS nor Atom');
    expect(() => parseFeed('<rss><channel><item><title>x</item>')).toThrow(MalformedDocumentError);
  });
});
