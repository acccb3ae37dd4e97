/** The query DTO lives in search-query.dto.ts; this path stays for the service that imports it. */
export * from './search-query.dto';
