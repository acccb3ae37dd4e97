/** Injection token for the admin bearer token the api was started with. */
export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');
