export * from './trending';
export * from './fusion';
export * from './feed';
export * from './learned';
export * from './lexical';
export * from './similarity';
