import { expect } from 'chai';
import { redactConfigValue, redactUrls } from '../../../shared/redact.js';

describe('secrets kept out of messages (shared/redact.ts)', () => {
  const cases: [string, string, string][] = [
    ['user info', 'https://bot:s3cret@hooks.example.com/notify', 'https://***@hooks.example.com/…'],
    ['a query', 'https://hooks.example.com?token=abc', 'https://hooks.example.com…'],
    ['a secret path (Slack-style webhook)', 'https://hooks.slack.com/services/T0/B0/XXXX', 'https://hooks.slack.com/…'],
    ['a mistyped scheme', 'htps://bot:s3cret@hooks.example.com/x?k=v', 'htps://***@hooks.example.com/…'],
    ['user:password@ without a scheme', 'bot:s3cret@hooks.example.com/x', '***@hooks.example.com/x'],
    ['a URL inside a sentence', 'POST to http://u:p@h:8080/a?b=c failed', 'POST to http://***@h:8080/… failed'],
    ['a bare origin', 'http://127.0.0.1:9090', 'http://127.0.0.1:9090'],
    ['text without a URL', 'localhost:8080', 'localhost:8080'],
  ];
  for (const [what, text, shown] of cases) it(`cuts ${what}`, () => expect(redactUrls(text)).to.equal(shown));

  it('redacts the value of a secret key whatever it looks like, and walks objects', () => {
    expect(redactConfigValue('token', 'abcdef')).to.equal('(redacted, 6 characters)');
    expect(redactConfigValue('webhookPassword', 12345)).to.equal('(redacted, 5 characters)');
    expect(redactConfigValue('authServer', 'hoss-auth')).to.equal('hoss-auth');
    expect(redactConfigValue(0 as unknown as string, { url: 'https://a:b@h/x', apiKey: 'k', retries: 3 })).to.deep.equal({
      url: 'https://***@h/…',
      apiKey: '(redacted, 1 characters)',
      retries: 3,
    });
  });
});
