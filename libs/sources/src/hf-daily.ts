import { arxivAbsUrl, splitArxivId } from './normalized-paper';
import { asArray, MalformedDocumentError, parseDate, ParsedRecord, toRecord } from './records';

interface HfDailyItem {
  paper?: {
    id?: string;
    title?: string;
    summary?: string;
    authors?: { name?: string }[];
    publishedAt?: string;
    submittedOnDailyAt?: string;
    submittedOnDailyBy?: { user?: string; name?: string; fullname?: string };
    upvotes?: number;
    githubRepo?: string;
  };
  submittedBy?: { user?: string; name?: string };
}

function parseItem(item: HfDailyItem): ParsedRecord {
  const paper = item?.paper;
  if (!paper || typeof paper !== 'object') return { ok: false, reason: 'item has no paper' };
  const { id, version } = splitArxivId(String(paper.id ?? ''));
  const submitter = paper.submittedOnDailyBy ?? item.submittedBy;
  const daily = parseDate(String(paper.submittedOnDailyAt ?? ''));
  return toRecord({
    id,
    version,
    title: String(paper.title ?? ''),
    abstract: String(paper.summary ?? ''),
    authors: asArray(paper.authors).map((author) => String(author?.name ?? '')),
    categories: [],
    publishedAt: parseDate(String(paper.publishedAt ?? '')),
    url: arxivAbsUrl(id),
    upvotes: typeof paper.upvotes === 'number' && paper.upvotes >= 0 ? paper.upvotes : null,
    githubRepo: typeof paper.githubRepo === 'string' && paper.githubRepo ? paper.githubRepo : null,
    submittedBy: submitter?.user ?? submitter?.name ?? null,
    dailyDate: daily ? daily.toISOString().slice(0, 10) : null,
  });
}

/** Hugging Face `GET /api/daily_papers?date=`: an array of { paper, … } items. */
export function parseHfDailyPapers(json: string): ParsedRecord[] {
  let items: unknown;
  try {
    items = JSON.parse(json);
  } catch (error) {
    throw new MalformedDocumentError(`Hugging Face daily papers: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(items)) throw new MalformedDocumentError('Hugging Face daily papers: expected a JSON array');
  return items.map((item) => parseItem(item as HfDailyItem));
}
