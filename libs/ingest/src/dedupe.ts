import { NormalizedPaper, splitArxivId, titleKey } from '@paperfeed/sources';

/** The records of one batch or page that are one paper, combined (see dedupeRecords). */
export interface RecordGroup {
  /** The combined record; its id is the group's first arXiv id, else its first id. */
  paper: NormalizedPaper;
  /** Every id the group's records came with, in arrival order. */
  ids: string[];
  /** Whether any of its records has an arXiv id. */
  hasArxivId: boolean;
  /** Positions (in the list given to dedupeRecords) of the records combined into it. */
  members: number[];
}

/** Whether an id (already without version) is an arXiv id. */
export function isArxivId(id: string): boolean {
  return splitArxivId(id).isArxiv;
}

/**
 * Whether record `next`, arriving after `current`, wins the text side: the rule of
 * PapersStore.upsert (WINS) for two records of one batch. A versioned record wins over an older
 * or equal version and over an unversioned one; an unversioned record wins only over another
 * unversioned one (the later wins).
 */
export function wins(current: NormalizedPaper, next: NormalizedPaper): boolean {
  if (next.version !== null && next.version !== undefined) {
    return current.version === null || current.version === undefined || next.version >= current.version;
  }
  return current.version === null || current.version === undefined;
}

/**
 * Two records of one paper combined as PapersStore.upsert combines a record with the stored
 * paper (RESOLVE): the winner's text (title, abstract, dates, version; its authors, categories
 * and url unless it has none), metadata (upvotes, code, submitter, daily date, DOI) from the later
 * record that says it. The id stays `current`'s.
 */
export function combineRecords(current: NormalizedPaper, next: NormalizedPaper): NormalizedPaper {
  const w = wins(current, next);
  const text = w ? next : current;
  return {
    ...current,
    version: w ? (next.version ?? current.version) : current.version,
    title: text.title,
    abstract: text.abstract,
    authors: w && next.authors.length > 0 ? next.authors : current.authors,
    categories: w && next.categories.length > 0 ? next.categories : current.categories,
    publishedAt: text.publishedAt,
    updatedAt: w ? (next.updatedAt ?? current.updatedAt ?? null) : (current.updatedAt ?? null),
    url: w ? (next.url ?? current.url) : (current.url ?? next.url),
    upvotes: next.upvotes ?? current.upvotes,
    githubRepo: next.githubRepo ?? current.githubRepo ?? null,
    submittedBy: next.submittedBy ?? current.submittedBy ?? null,
    dailyDate: next.dailyDate ?? current.dailyDate ?? null,
    ...(next.doi || current.doi ? { doi: next.doi ?? current.doi } : {}),
  };
}

/**
 * The in-batch half of the dedupe rule (libs/ingest index.ts), pure: records are taken in order
 * and each is the same paper as an earlier one of the batch when they share the id, else the
 * DOI, else — only for a record without an arXiv id — the title key (titleKey) of a group that has
 * an arXiv id (two records that both lack one are told apart by their own ids). Equal keys
 * pointing at two groups go to the one formed first. A record joining a group is combined into it
 * (combineRecords), as if the batch's records had arrived one after another.
 */
export function dedupeRecords(papers: NormalizedPaper[]): RecordGroup[] {
  const groups: RecordGroup[] = [];
  const byId = new Map<string, RecordGroup>();
  const byDoi = new Map<string, RecordGroup>();
  const byTitle = new Map<string, RecordGroup>();
  papers.forEach((paper, index) => {
    const arxiv = isArxivId(paper.id);
    const key = titleKey(paper.title);
    const doi = paper.doi || null;
    let group = byId.get(paper.id) ?? (doi ? byDoi.get(doi) : undefined) ?? (!arxiv && key ? byTitle.get(key) : undefined);
    if (!group) {
      group = { paper, ids: [paper.id], hasArxivId: arxiv, members: [index] };
      groups.push(group);
    } else {
      const combined = combineRecords(group.paper, paper);
      // The paper goes by its arXiv id where it has one.
      const id = !group.hasArxivId && arxiv ? paper.id : group.paper.id;
      group.paper = { ...combined, id };
      if (!group.ids.includes(paper.id)) group.ids.push(paper.id);
      group.hasArxivId ||= arxiv;
      group.members.push(index);
    }
    if (!byId.has(paper.id)) byId.set(paper.id, group);
    if (doi && !byDoi.has(doi)) byDoi.set(doi, group);
    // Titles lead to arXiv papers only: records without an arXiv id are told apart by their ids.
    if (key && group.hasArxivId && !byTitle.has(key)) byTitle.set(key, group);
  });
  return groups;
}
