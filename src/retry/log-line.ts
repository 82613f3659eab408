/**
 * How much of one log line Dockhand reads: the classifier and the pushed-image parser look at no more
 * than this many characters of a line, so no single line costs more, however long an attacker made it.
 * Registry errors are far shorter (the longest line in the labelled corpus is 506 characters; a buildx error
 * that nests a URL with a token scope stays under 2 KiB), and an image reference is at most ~700.
 */
export const MAX_LINE_CHARS = 4096;
