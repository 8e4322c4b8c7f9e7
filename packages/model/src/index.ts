export { PREPROCESS_DEFAULTS, MANIFEST_DEFAULTS } from './defaults.js';
export { ModelError, ModelErrorCode } from './errors.js';
export type { ModelManifest } from './manifest.js';
export { ModelManifestSchema, parseManifest, loadModel, defaultModelDir } from './manifest.js';
export type { TensorFromImageOptions } from './preprocess.js';
export { tensorFromImage } from './preprocess.js';
export { softmax } from './softmax.js';
