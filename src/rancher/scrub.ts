import { maskUrlPasswords } from "../log.js";

/** Replaces every credential we hold, and any password in a URL, in a text we are about to log or print. */
export type Scrub = (text: string) => string;

/** `secrets` are the raw values (a secret key, a token, the Authorization header made of them). */
export function scrubberOf(secrets: readonly string[]): Scrub {
  const known = secrets.filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  return (text) =>
    known.reduce((scrubbed, secret) => scrubbed.split(secret).join("***"), maskUrlPasswords(text));
}

/**
 * A library's error reduced to what tells what failed, scrubbed: got's errors carry the request's options (headers
 * and credentials included), and their message or stack may quote the URL.
 */
export function scrubbedError(error: Error & { code?: string }, scrub: Scrub): Error {
  const copy = new Error(scrub(error.message));
  Object.assign(copy, { name: error.name, code: error.code, stack: error.stack && scrub(error.stack) });
  return copy;
}
