/**
 * Secrets kept out of error messages and logs. A config error quotes the value it refuses,
 * and the values most often mistyped are the ones that carry credentials: a webhook URL (its
 * path or query is the secret, or user:password@ sits in front of the host), a token, a
 * password. What an operator needs to find the mistake stays: the key, the scheme and the host.
 */

/** Key names whose value is a secret whatever it looks like. */
const SECRET_KEY = /(password|passwd|passphrase|secret|token|credential|api[-_]?key|authorization|bearer|cookie)/i;
/** A URL, anywhere in a text: scheme://authority and what follows up to a space or a quote. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`]*)([^\s"'`]*)/gi;
/** user:password@ without a scheme (a mistyped URL): the part before @ is dropped. */
const USERINFO = /(^|[\s"'`(])[^\s"'`(/@:]+:[^\s"'`/@]*@/g;

function redactAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  return at < 0 ? authority : `***@${authority.slice(at + 1)}`;
}

/**
 * `text` with every URL cut to its scheme and host ("https://***@hooks.example.com/…") and every
 * user:password@ replaced by ***@.
 */
export function redactUrls(text: string): string {
  return text
    .replace(URL_IN_TEXT, (_m, scheme: string, authority: string, rest: string) => {
      const tail = rest === '' ? '' : rest.startsWith('/') ? '/…' : '…';
      return `${scheme}${redactAuthority(authority)}${tail}`;
    })
    .replace(USERINFO, '$1***@');
}

/** True when a config key (its last segment) names a secret: token, password, apiKey… */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A config value as an error message may show it: a secret key's value as "(redacted, N
 * characters)", URLs cut to scheme and host, nested objects cleaned the same way.
 */
export function redactConfigValue(key: string | undefined, value: unknown): unknown {
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (key !== undefined && isSecretKey(key) && scalar) return `(redacted, ${String(value).length} characters)`;
  if (typeof value === 'string') return redactUrls(value);
  if (Array.isArray(value)) return value.map((v) => redactConfigValue(undefined, v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfigValue(k, v)]));
}
