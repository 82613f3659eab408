/**
 * The registry operations a failure can hit: the words `retry.rules[].operation` accepts and the PR
 * comment shows. `any`: a rule that fits every operation, whose line or nearby lines say which.
 */
export const OPERATIONS = [
  "push",
  "pull",
  "login",
  "token",
  "blob-upload",
  "manifest",
  "reference",
  "build",
  "runner",
  "cache",
  "any",
] as const;
export type Operation = (typeof OPERATIONS)[number];
