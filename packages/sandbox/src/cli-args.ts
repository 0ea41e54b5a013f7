// Argument helpers shared by the CLI commands: parsing with node:util, typed option values, usage errors.
import { parseArgs } from 'node:util';
import { SIGN_TYPES, type SignType } from '@diamondpay/core';
import { DEFAULT_MERCHANT } from './orders.js';

/** A mistake in the command line: printed with a pointer to the command's help, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export type ParsedValues = Record<string, string | boolean | undefined>;

export function parse(
  command: string,
  args: string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
) {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedValues, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

export function integer(
  name: string,
  value: string | boolean | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function signTypeOf(value: unknown, where: string): SignType {
  if (typeof value !== 'string' || !(SIGN_TYPES as readonly string[]).includes(value))
    throw new UsageError(`${where} must be HMAC-SHA256 or MD5, got ${JSON.stringify(value)}`);
  return value as SignType;
}

export function keyOf(values: ParsedValues): string {
  const key = values.key ?? DEFAULT_MERCHANT.platformKey;
  if (typeof key !== 'string' || key === '') throw new UsageError('--key must not be empty');
  return key;
}
