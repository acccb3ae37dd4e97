export * from './trending';
export * from './fusion';
export * from './feed';
export * from './learned';
