// Which web pages may read the API's answers (SALIENCY_CORS_ORIGINS). By default only pages served
// from this machine (localhost, 127.0.0.1, [::1] on any port, http or https): a local install must
// not be readable by every site its user visits. `*` opens it to every origin (a public deployment),
// a list names origins, `none` leaves same-origin pages only. Mutations from other origins are also
// refused by Apollo's CSRF prevention unless they come with a preflight this policy answers.

/** Origins of pages served from the local machine. */
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/** The Access-Control-Allow-Origin value for a request's Origin header, or null for none. */
export function corsPolicy(origins: readonly string[]): (origin: string | undefined) => string | null {
  const any = origins.includes('*');
  const local = origins.includes('local');
  const listed = new Set(origins.filter((o) => o !== '*' && o !== 'local' && o !== 'none').map((o) => o.replace(/\/+$/, '').toLowerCase()));
  return (origin) => {
    if (any) return '*';
    if (!origin) return null;
    if ((local && LOCAL_ORIGIN.test(origin)) || listed.has(origin.toLowerCase())) return origin;
    return null;
  };
}
