import { isAllowedUrl } from './fetch';

describe('isAllowedUrl (SOURCE_HOSTS)', () => {
  const hosts = ['rss.arxiv.org', 'feeds.example.org:8443', 'LOCALHOST'];

  it('allows a listed host on its default port only', () => {
    expect(isAllowedUrl('https://rss.arxiv.org/rss/cs.LG', hosts)).toBe(true);
    expect(isAllowedUrl('http://rss.arxiv.org:80/rss/cs.LG', hosts)).toBe(true);
    expect(isAllowedUrl('https://rss.arxiv.org:443/x', hosts)).toBe(true);
    expect(isAllowedUrl('http://rss.arxiv.org:3000/v1/papers.atom', hosts)).toBe(false);
    expect(isAllowedUrl('http://localhost:3000/v1/papers.atom', hosts)).toBe(false);
    expect(isAllowedUrl('http://localhost/feed', hosts)).toBe(true);
  });

  it('allows exactly the port an entry names', () => {
    expect(isAllowedUrl('https://feeds.example.org:8443/a', hosts)).toBe(true);
    expect(isAllowedUrl('https://feeds.example.org/a', hosts)).toBe(false);
    expect(isAllowedUrl('https://feeds.example.org:8444/a', hosts)).toBe(false);
  });

  it('refuses other hosts, look-alikes and other schemes', () => {
    expect(isAllowedUrl('https://rss.arxiv.org.evil.test/x', hosts)).toBe(false);
    expect(isAllowedUrl('https://evil.test/?rss.arxiv.org', hosts)).toBe(false);
    expect(isAllowedUrl('ftp://rss.arxiv.org/x', hosts)).toBe(false);
    expect(isAllowedUrl('not a url', hosts)).toBe(false);
    expect(isAllowedUrl('https://rss.arxiv.org/x', ['bad:99999'])).toBe(false);
  });
});
