export * from './embedder';
export * from './paper-text';
export * from './vector';
export * from './off-loop-embedder';
export { ModelLoadError } from './transformers-embedder';
