import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** "papers.3.title: title must be shorter than or equal to 1000 characters" for each failure. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => `${field}: ${text}`);
    return [...own, ...describeValidationErrors(error.children ?? [], field)];
  });
}

/** Strict validation: unknown fields, wrong types and bad values are 400s naming each field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors).join('; ')),
  });
}
