/**
 * `@tillkit/orchestrator/node`: what needs Node's own modules, kept out of the main entry so a
 * POS running in a browser can bundle the orchestrator: the file-backed journal.
 */
export { createFileJournal, type FileJournal, type FileJournalOptions } from './journals/file.js'
