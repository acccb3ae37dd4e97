import { SetMetadata } from '@nestjs/common';
import { Job } from 'bullmq';
import { JobName, JobPayloads } from './registry';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

export type JobHandlerMethod<N extends JobName> = (data: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<unknown>;

/**
 * Binds a processor method to a job name. The method's signature must accept that job's payload,
 * and the worker refuses to boot unless every job it consumes has exactly one handler.
 */
export function HandlesJob<N extends JobName>(name: N) {
  return <M extends JobHandlerMethod<N>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(JOB_HANDLER, name)(target, key, descriptor);
  };
}

/** Problems with the handler set for the consumed jobs; empty when each has exactly one. */
export function handlerProblems(expected: JobName[], found: JobName[]): string[] {
  const problems: string[] = [];
  for (const name of expected) {
    const count = found.filter((f) => f === name).length;
    if (count === 0) problems.push(`job "${name}" has no handler`);
    if (count > 1) problems.push(`job "${name}" has ${count} handlers`);
  }
  return problems;
}
