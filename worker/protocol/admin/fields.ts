// Field schemas more than one admin area uses.
import { z } from 'zod';

// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f]/;

/** A plain address: what Email Routing delivers to and what we may send to. Lower case. */
export const emailAddress = (what: string) =>
  z
    .string(`${what} must be an email address`)
    .trim()
    .toLowerCase()
    .max(254, `${what} is too long (at most 254 characters)`)
    .pipe(z.email(`${what} is not a valid email address`));
