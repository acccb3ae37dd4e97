export * from './feed-ranker';
export * from './evidence';
export * from './corpus-index';
