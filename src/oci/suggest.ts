/**
 * Docker's "did you mean" hints for misspelt Dockerfile instructions and flags: the option
 * closest to the value by edit distance, when that distance is under 3.
 */

/** Levenshtein distance between two strings, counted in code points. */
export function editDistance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  let previous = right.map((_, j) => j + 1);
  previous.unshift(0);
  for (let i = 0; i < left.length; i++) {
    const current = [i + 1];
    for (let j = 0; j < right.length; j++) {
      const substitution = (previous[j] ?? 0) + (left[i] === right[j] ? 0 : 1);
      const insertion = (current[j] ?? 0) + 1;
      const deletion = (previous[j + 1] ?? 0) + 1;
      current.push(Math.min(substitution, insertion, deletion));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The option closest to `value` (distance under 3, first one wins a tie), or undefined when
 * none is close or `value` is itself an option. Without `caseSensitive`, matching ignores case
 * and the hint follows the value's case (all lower, all upper, else lower).
 */
export function closestMatch(
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string | undefined {
  const wanted = caseSensitive ? value : value.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    if (candidate === wanted) return undefined;
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = caseSensitive ? candidate : matchCase(candidate, value);
      bestDistance = distance;
    }
  }
  return best;
}

/** `message (did you mean x?)` when an option is close to `value`, else `message`. */
export function withSuggestion(
  message: string,
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string {
  const match = closestMatch(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}

function matchCase(option: string, original: string): string {
  if (original === original.toUpperCase() && original !== original.toLowerCase()) {
    return option.toUpperCase();
  }
  return option;
}
