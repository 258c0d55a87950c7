/**
 * TLS verification and plain HTTP may be relaxed only for emulators on loopback. Every adapter
 * asks this one function, so the rule is enforced (and tested) in one place.
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
