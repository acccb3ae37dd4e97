export * from './trending';
export * from './fusion';
