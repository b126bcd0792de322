export * from './audit.ts';
export * from './data.ts';
export * from './features.ts';
export * from './models.ts';
export * from './ops.ts';
export * from './runs.ts';
export * from './scores.ts';
export * from './transactions.ts';
