export { generateCode } from './generate.js';
export { CodeHasher, hashesEqual } from './hash.js';
export { MemoryCodeStore, type MemoryCodeStoreOptions } from './memory-store.js';
export { decideAttempt, type AttemptOutcome, type AttemptResult, type CodeRecord, type CodeStore } from './store.js';
export { OwnedCodes, PendingCode, statusOfRecord, EPHEMERAL_SECRET_WARNING, type CodeLimits, type OwnedCodesOptions } from './owned-codes.js';
export { MemoryTriesStore, type TriesStore } from './tries.js';
