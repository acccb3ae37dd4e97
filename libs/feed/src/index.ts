export * from './feed-ranker';
