export * from './layer.js';
export * from './errors.js';
export * from './target.js';
export * from './observation.js';
export * from './report.js';
