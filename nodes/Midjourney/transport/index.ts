export * from './accounts';
export * from './errors';
export * from './jobs';
export * from './multipart';
export * from './request';
export * from './sse';
export * from './types';
export * from './media';
