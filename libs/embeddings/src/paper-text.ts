import { createHash } from 'node:crypto';

/** The text a paper is embedded from. Its hash decides whether a stored vector is still current. */
export function paperEmbeddingText(paper: { title: string; abstract: string }): string {
  return `${paper.title}\n\n${paper.abstract}`;
}

export function paperTextHash(paper: { title: string; abstract: string }): string {
  return createHash('sha256').update(paperEmbeddingText(paper)).digest('hex');
}
