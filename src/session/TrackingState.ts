/**
 * One client's CLIENT TRACKING options, kept on its ClientState while tracking is on;
 * src/tracking/Tracking.ts keeps the tracked keys and sends the invalidations.
 */

/** One client's tracking options (Redis's CLIENT_TRACKING_* flags). */
export class TrackingState {
  bcast = false
  optin = false
  optout = false
  noloop = false
  /** CLIENT CACHING YES (optin) / NO (optout) given for the next command. */
  caching = false
  brokenRedirect = false
  /** Client id invalidations go to (0: this connection). */
  redirect = 0
  /** BCAST prefixes, sorted as Redis lists them. */
  prefixes: Array<string> = []
}
