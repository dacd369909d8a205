export * from './codes.js';
export * from './days.js';
export * from './encoding.js';
export * from './errors.js';
export * from './keys.js';
export * from './suite.js';
export * from './tiers.js';
export * from './types.js';
