import { expect } from 'chai';
import { checkAlertsConfig, firingAlertsQuery, parseSelector } from '../../../coordinator/alerts/selector.js';
import type { ClusterConfig } from '../../../coordinator/config.js';

function query(selector: string): string {
  const parsed = parseSelector(selector);
  if ('error' in parsed) throw new Error(parsed.error);
  return firingAlertsQuery(parsed.matchers);
}

function problem(selector: string): string {
  const parsed = parseSelector(selector);
  if (!('error' in parsed)) throw new Error(`accepted ${selector}`);
  return parsed.error;
}

describe('alert selector', () => {
  const accepted: [string, string][] = [
    ['{severity="critical"}', 'ALERTS{alertstate="firing",severity="critical"}'],
    ['severity="critical",cluster="hoss"', 'ALERTS{alertstate="firing",severity="critical",cluster="hoss"}'],
    [' { severity = "critical" , } ', 'ALERTS{alertstate="firing",severity="critical"}'],
    ['{}', 'ALERTS{alertstate="firing"}'],
    ["severity!='info'", 'ALERTS{alertstate="firing",severity!="info"}'],
    ['alertname=~"Disk.*|Backup.*"', 'ALERTS{alertstate="firing",alertname=~"Disk.*|Backup.*"}'],
    ['job!~`node|blackbox`', 'ALERTS{alertstate="firing",job!~"node|blackbox"}'],
    ['path=~"a\\\\.b"', 'ALERTS{alertstate="firing",path=~"a\\\\.b"}'],
    ['note="say \\"hi\\""', 'ALERTS{alertstate="firing",note="say \\"hi\\""}'],
    ['raw=`back\\slash "quoted"`', 'ALERTS{alertstate="firing",raw="back\\\\slash \\"quoted\\""}'],
  ];
  for (const [selector, expected] of accepted) {
    it(`builds ${expected} from ${selector}`, () => expect(query(selector)).to.equal(expected));
  }

  const refused: [string, string][] = [
    ['severity=critical', 'severity=: expected a quoted value at "critical"'],
    ['{severity="critical"', 'has an unbalanced { }'],
    ['{a="x"} or vector(1)', 'has an unbalanced { }'],
    ['{a="x"},{b="y"}', 'expected "," or the end after a=…, found "},{b="y""'],
    ['up == 0', 'up=: expected a quoted value at "= 0"'],
    ['up', 'expected =, !=, =~ or !~ after up'],
    ['severity="critical" severity="page"', 'expected "," or the end after severity=…, found "severity="page""'],
    ['a="x"}) or on() vector(1', 'expected "," or the end after a=…, found "}) or on() vector(1"'],
    ['1abc="x"', 'expected a label name at "1abc="x""'],
    ['a="unterminated', 'a=: a value is missing its closing "'],
    ['a="\\d+"', 'a=: unsupported escape "\\d" in a value (a regular expression\'s backslash is written "\\\\")'],
    ['a="line\nbreak"', 'a=: a value contains a control character'],
    ['alertstate="pending"', 'convoyd adds alertstate="firing" itself; remove it from the selector'],
    ['__name__="up"', 'the query always reads the ALERTS series; remove __name__ from the selector'],
    ['a=="x"', 'a=: expected a quoted value at "="x""'],
  ];
  for (const [selector, message] of refused) {
    it(`refuses ${JSON.stringify(selector)}: ${message}`, () => expect(problem(selector)).to.equal(message));
  }

  it('names the file, the key, the value and the fix in coordinator.yaml', () => {
    const cluster: ClusterConfig = {
      name: 'hoss',
      authServer: '',
      members: ['a'],
      maxParallel: 1,
      healthDeadlineMs: 1000,
      allowDowngrade: false,
      autoRollback: false,
      alerts: { prometheus: 'http://127.0.0.1:9090', selector: 'severity=critical', pollIntervalMs: 0, timeoutMs: 0 },
    };
    expect(checkAlertsConfig('/etc/convoy/coordinator.yaml', [{ ...cluster, name: 'plain', alerts: undefined }, cluster])).to.deep.equal([
      'coordinator.yaml: clusters[1].alerts.selector "severity=critical" is not a list of label matchers: severity=: expected a quoted value at "critical". ' +
        `Write matchers such as severity="critical",cluster="hoss" (in YAML: selector: '{severity="critical"}')`,
    ]);
  });
});
