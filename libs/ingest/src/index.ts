/**
 * libs/ingest — the one path every paper takes into the papers table, whatever brought it
 * (a pushed batch, a harvested page, later a library import):
 *
 *   normalise → validate (normalizeRecord) → dedupe (dedupeRecords, then PapersStore.match)
 *   → upsert (PapersStore.upsert) → queue embedding (queueEmbedding, after the commit).
 *
 * `PaperIngest.store(records, manager)` takes a list of NormalizedPaper records (or parser
 * results) and runs inside the caller's transaction, so the caller's own progress (a batch's
 * result, a harvest's cursor and counts) is written with the papers or not at all. A malformed
 * record is rejected alone, with its reason; the rest are stored.
 *
 * **The dedupe rule.** A record is the same paper as a stored one when they share the id (the
 * arXiv id without version, else the id the record came with); else when they share the DOI
 * (lower-case, without resolver prefix); else — only for a record without an arXiv id, and only
 * onto a paper with one — when they share the title key (the title lower-cased, letters and digits
 * only, accents dropped, runs of anything else one space: titleKey in libs/sources). So a feed item
 * or a venue record joins the arXiv paper of the same title, while two records that both come
 * without an arXiv id are told apart by their own ids (a pushed batch's ids are its word). Among several stored papers with that DOI
 * or title, the one stored first. Records within one list are deduplicated by the same rule, in
 * arrival order, and combined as if they had arrived one after another. Matched by DOI or title,
 * a record takes the stored paper's id; how it then combines with the stored paper is the one rule
 * of PapersStore.upsert (RESOLVE): the newest version's text, metadata from any record that says it.
 */
export * from './dedupe';
export * from './embedding-queue';
export * from './ingest.module';
export * from './normalize';
export * from './paper-ingest';
export * from './pushed-paper';
