const SHELL_SAFE = /^[\w@%+=:,./-]+$/;

/** Single-quotes only the words that need it, so that a printed command line stays readable and pastes right. */
export function shellWord(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
