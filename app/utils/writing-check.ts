/** The writing check's note, client-safe (the check itself is writing-check.server.ts). */
export type WritingNote =
  | { field: string; label: string; phrase: string; suggestion: string; missingImpact?: never }
  | { field: string; label: string; missingImpact: true; phrase?: never; suggestion?: never };
