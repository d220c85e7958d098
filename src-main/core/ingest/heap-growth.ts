import { setFlagsFromString } from 'node:v8';

/** How far V8 lets the old generation grow past what a full collection left alive, in percent. */
export const HEAP_GROWING_PERCENT = 50;

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
