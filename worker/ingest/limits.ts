// Bounds on hostile input. postal-mime bounds depth; breadth and the size of the top-level header
// block are ours to bound before parsing (the parser would otherwise build every part in memory).

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
export const PARSE_LIMITS = {
  /** MIME nesting depth. Real mail rarely goes past 6; 300-deep trees are attacks or broken generators. */
  maxNestingDepth: 50,
  /** Total header bytes across all parts. */
  maxHeadersSize: 1024 * 1024,
  /** message/rfc822 parts parsed inline (forwarded mail, bounces carrying the original). */
  maxRfc822NestingDepth: 3,
  /** Boundary delimiter lines counted by the pre-scan; each is one part. */
  maxParts: 1000,
  /** The top-level header block alone. */
  maxTopHeaderBytes: 256 * 1024,
} as const;
