/** moor's own version and the Engine API versions it serves. */
export const MOOR_VERSION = '0.1.0';
/** The API version advertised (docker 28.3+ native; docker 29 clients refuse below 1.44). */
export const API_VERSION = '1.51';
/** The oldest API version accepted in a request path. */
export const MIN_API_VERSION = '1.24';
