import { LoggerService } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/** Fields (request id, job id) added to every log line written while handling one request or job. */
const context = new AsyncLocalStorage<Record<string, string>>();

/** Runs `work` with these fields on every log line it writes, nested inside any outer fields. */
export function withLogFields<T>(fields: Record<string, string>, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

/** Query parameters that carry secrets (feed and subscription tokens): never written to logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

/**
 * Nest's logger as structured JSON lines (pino) on stdout: time, level, service, the Nest context,
 * the message, and the request or job the line belongs to. Secrets in known fields are redacted.
 */
export class JsonLogger implements LoggerService {
  private readonly out: pino.Logger;

  constructor(service: string, level = process.env.LOG_LEVEL) {
    this.out = pino({
      // A bad LOG_LEVEL is reported by the config at startup (one line); until then, info.
      level: level && level in pino.levels.values ? level : 'info',
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => context.getStore() ?? {},
      redact: ['authorization', 'headers.authorization', 'token', 'password'],
    });
  }

  /** For lines that are not Nest messages (e.g. one per HTTP request). */
  get pino(): pino.Logger {
    return this.out;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, context) or, for errors, (message, stack, context). */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const strings = rest.filter((part): part is string => typeof part === 'string');
    const fields: Record<string, unknown> = {};
    if (strings.length > 0) fields.context = strings[strings.length - 1];
    if (level === 'error' && strings.length > 1) fields.stack = strings[0];
    if (message instanceof Error) this.out[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.out[level]({ ...fields, ...message });
    else this.out[level](fields, String(message));
  }
}
