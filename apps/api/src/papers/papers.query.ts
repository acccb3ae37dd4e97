/** The query DTOs live in papers-query.dto.ts; this path stays for the services that import it. */
export * from './papers-query.dto';
