import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { HEALTHY_SESSION_MS, retryPace, sessionWasHealthy, slowRetryDelay, statusName } from '../../../agent/link/retry.js';
import { defaultBackoff } from '../../../shared/backoff.js';

describe('agent link retry decision', () => {
  const normal: status[] = [
    status.UNAVAILABLE,
    status.DEADLINE_EXCEEDED,
    status.INTERNAL,
    status.UNKNOWN,
    status.CANCELLED,
    status.RESOURCE_EXHAUSTED,
    status.ABORTED,
    status.OK,
  ];
  for (const s of normal) {
    it(`reconnects after ${statusName(s)} with the normal backoff`, () => {
      expect(retryPace(s)).to.equal('normal');
    });
  }

  for (const s of [status.PERMISSION_DENIED, status.ALREADY_EXISTS, status.UNAUTHENTICATED, status.UNIMPLEMENTED]) {
    it(`still reconnects after ${statusName(s)}, but only at the maximum backoff`, () => {
      expect(retryPace(s)).to.equal('slow');
    });
  }

  it('reconnects when the stream ended without any status', () => {
    expect(retryPace(undefined)).to.equal('normal');
  });

  it('waits the maximum after a refusal for a duplicate id or an identity mismatch, whatever the status', () => {
    expect(retryPace(status.UNKNOWN, 'ALREADY_EXISTS')).to.equal('slow');
    expect(retryPace(status.UNKNOWN, 'PERMISSION_DENIED')).to.equal('slow');
  });

  it('waits the maximum after a protocol mismatch: only an upgrade on one side fixes it', () => {
    expect(retryPace(status.FAILED_PRECONDITION, 'PROTOCOL_MISMATCH')).to.equal('slow');
    expect(retryPace(status.CANCELLED, 'PROTOCOL_MISMATCH')).to.equal('slow');
  });

  it('comes back quickly after a refusal that clears by itself (a session closed as silent, a late Hello)', () => {
    expect(retryPace(status.ABORTED, 'SESSION_CLOSED')).to.equal('normal');
    expect(retryPace(status.DEADLINE_EXCEEDED, 'NO_HELLO')).to.equal('normal');
  });

  it('jitters the slow delay within the upper part of the maximum', () => {
    expect(slowRetryDelay(defaultBackoff, 1)).to.equal(30_000);
    expect(slowRetryDelay(defaultBackoff, 0)).to.equal(15_000);
  });

  it(`counts a session as healthy once it stayed accepted for ${HEALTHY_SESSION_MS / 1000}s`, () => {
    expect(sessionWasHealthy(undefined, 50_000)).to.equal(false);
    expect(sessionWasHealthy(1_000, 1_000 + HEALTHY_SESSION_MS - 1)).to.equal(false);
    expect(sessionWasHealthy(1_000, 1_000 + HEALTHY_SESSION_MS)).to.equal(true);
  });

  it('names statuses for the logs', () => {
    expect(statusName(status.UNAVAILABLE)).to.equal('UNAVAILABLE');
    expect(statusName(undefined)).to.equal('no status');
  });
});
