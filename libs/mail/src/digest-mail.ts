import { FeedReason, reasonText } from '@paperfeed/ranking';

export interface DigestPaper {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  url: string;
  reasons: FeedReason[];
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function shortAbstract(abstract: string, max = 300): string {
  const flat = abstract.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, flat.lastIndexOf(' ', max))}…`;
}

export function authorLine(authors: string[]): string {
  return authors.length > 4 ? `${authors.slice(0, 3).join(', ')} et al.` : authors.join(', ');
}

/** A digest in plain text and HTML: each paper with title, authors, a short abstract, link and why. */
export function renderDigest(input: { cadence: string; papers: DigestPaper[]; unsubscribeUrl: string }): {
  subject: string;
  text: string;
  html: string;
} {
  const count = input.papers.length;
  const subject = `paperfeed: ${count} new paper${count === 1 ? '' : 's'} for you (${input.cadence})`;
  const text = [
    `${count} new paper${count === 1 ? '' : 's'} since your last digest.`,
    '',
    ...input.papers.flatMap((p, i) => [
      `${i + 1}. ${p.title}`,
      `   ${authorLine(p.authors)}`,
      `   ${shortAbstract(p.abstract)}`,
      `   ${p.url}`,
      `   Why: ${reasonText(p.reasons)}`,
      '',
    ]),
    `Unsubscribe: ${input.unsubscribeUrl}`,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family: sans-serif; max-width: 640px">
<p>${count} new paper${count === 1 ? '' : 's'} since your last digest.</p>
${input.papers
  .map(
    (p) => `<div style="margin: 1.2em 0">
  <a href="${escapeHtml(p.url)}" style="font-size: 1.1em; font-weight: bold">${escapeHtml(p.title)}</a>
  <div style="color: #555">${escapeHtml(authorLine(p.authors))}</div>
  <p>${escapeHtml(shortAbstract(p.abstract))}</p>
  <div style="color: #777; font-size: 0.9em">Why: ${escapeHtml(reasonText(p.reasons))}</div>
</div>`,
  )
  .join('\n')}
<p style="font-size: 0.85em"><a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>`;
  return { subject, text, html };
}

export function renderConfirmation(input: { cadence: string; confirmUrl: string; unsubscribeUrl: string }): {
  subject: string;
  text: string;
  html: string;
} {
  const subject = 'paperfeed: confirm your digest subscription';
  const text = `Someone (hopefully you) asked for a ${input.cadence} digest of new papers at this address.\n\nConfirm: ${input.confirmUrl}\n\nIf it was not you, ignore this mail: nothing more will be sent.`;
  const html = `<!doctype html><html><body><p>Someone (hopefully you) asked for a ${escapeHtml(input.cadence)} digest of new papers at this address.</p>
<p><a href="${escapeHtml(input.confirmUrl)}">Confirm the subscription</a></p><p>If it was not you, ignore this mail: nothing more will be sent.</p></body></html>`;
  return { subject, text, html };
}
