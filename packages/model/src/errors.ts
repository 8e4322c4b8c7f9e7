/** Stable error codes of the model package. */
export const ModelErrorCode = {
  ManifestMissing: 'MANIFEST_MISSING',
  ManifestInvalid: 'MANIFEST_INVALID',
  ModelFileMissing: 'MODEL_FILE_MISSING',
  InvalidOptions: 'INVALID_OPTIONS',
} as const;
export type ModelErrorCode = (typeof ModelErrorCode)[keyof typeof ModelErrorCode];

/** Base error of this package: a stable `code`; nothing here is worth retrying (all are configuration faults). */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly retryable: boolean = false;
  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelError';
    this.code = code;
  }
}
