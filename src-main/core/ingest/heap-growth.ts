import { setFlagsFromString } from 'node:v8';

/** How far V8 lets the old generation grow past what a full collection left alive, in percent. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The young generation of the thread that writes an index (the CLI's `index` and `rebuild`, the
 * app's and `serve`'s index worker), in MB. V8 takes a thread's young generation size only when the
 * thread starts, and by default the writer's grew to 32 MB resident (two semi-spaces of 16 MB).
 * 12 MB (4 MB semi-spaces), 1M EFT lines alternated three times: peak RSS 250–258 → 223–227 MB,
 * first index 15.7–19.1 s → 15.7–16.7 s (writer's scavenges 125 → 480, 0.56 → 1.03 s of pauses:
 * rows made one at a time die young; before that, 5–8 % more time). 6 MB saved little more for
 * 15 % more time.
 */
export const INDEXING_YOUNG_GENERATION_MB = 12;

let bounded = false;

/**
 * Bounds the heap's growth between full collections, for the whole process (V8's flags are global;
 * V8 reads this one at each full collection). Why: indexing promotes each batch's rows to the old
 * generation and frees them soon after, so about 20 MB stays alive while V8, by its own heuristic
 * (up to 4× the live size), let the writer's heap reach 100–125 MB before collecting: peak RSS of a
 * 10M-line first index 293–318 MB, over the 300 MB bound. At 1.5× the first 60 s of that load ran
 * with 65 MB of heap instead of 104 (peak RSS 229–232 against 268–273 MB) and indexed as many lines.
 */
export function boundHeapGrowth(): void {
  if (bounded) return;
  bounded = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
