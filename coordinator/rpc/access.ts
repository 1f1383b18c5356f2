/**
 * Who may do what on convoyd's two services. Under mutual TLS an identity comes only from the
 * client certificate (shared/cert-identity.ts); nothing a client sends can change it. Under
 * `insecure: true` (loopback only) there is no identity to check: every caller is trusted
 * as an operator and agents are who their Hello says.
 *
 * The operator list and the deny list change on SIGHUP (reload.ts); listeners hear about it
 * so that a revoked agent's open stream is closed at once.
 */
import * as grpc from '@grpc/grpc-js';
import {
  certificateFingerprint,
  identityOf,
  shortFingerprint,
  type CertificateNames,
  type FingerprintedCertificate,
  type PeerIdentity,
} from '../../shared/cert-identity.js';
import { peerCertificateExpiry, type CertificateExpiry } from '../../shared/cert-info.js';
import type { OperatorConfig } from '../config.js';
import { CONTROL_METHOD_COMMANDS, requiredRole, roleAllows, type ControlRole } from './roles.js';

/** A decision: the caller's name, or the status and reason to refuse with. */
export type Admission = { ok: true; name: string; role?: ControlRole } | { ok: false; status: grpc.status; reason: string };

/** The part of a server call access checks read. */
export interface PeerCall {
  getAuthContext(): {
    sslPeerCertificate?: { subject?: unknown; subjectaltname?: string; fingerprint256?: string; valid_to?: string } | null;
  };
  getPeer(): string;
}

export interface AccessOptions {
  /** True when convoyd requires client certificates (tls: set). */
  mtls: boolean;
  operators: OperatorConfig[];
  denyAgents: string[];
  /** Revoked certificate fingerprints (canonical AB:CD:… form, as config.ts resolves them). */
  denyCertificates?: string[];
  /** coordinator.yaml, named in refusals. */
  file: string;
}

export class AccessPolicy {
  readonly mtls: boolean;
  private readonly file: string;
  private operators = new Map<string, ControlRole>();
  private denied = new Set<string>();
  private deniedCertificates = new Set<string>();
  private readonly listeners = new Set<() => void>();
  /** The certificate each admitted operator last called with (for the expiry metric). */
  private readonly operatorCertificates = new Map<string, CertificateExpiry>();

  constructor(opts: AccessOptions) {
    this.mtls = opts.mtls;
    this.file = opts.file;
    this.update(opts);
  }

  /**
   * Replaces the operator and deny lists; returns the agent ids newly revoked (newly denied
   * certificates are listed by newlyDeniedCertificates before the call). Call publish() to act on it.
   */
  update(next: { operators: OperatorConfig[]; denyAgents: string[]; denyCertificates?: string[] }): string[] {
    const added = next.denyAgents.filter((id) => !this.denied.has(id));
    this.operators = new Map(next.operators.map((o) => [o.name, o.role]));
    for (const name of this.operatorCertificates.keys()) if (!this.operators.has(name)) this.operatorCertificates.delete(name);
    this.denied = new Set(next.denyAgents);
    this.deniedCertificates = new Set(next.denyCertificates ?? []);
    return added;
  }

  /** The fingerprints in `next` not denied yet. */
  newlyDeniedCertificates(next: { denyCertificates?: string[] }): string[] {
    return (next.denyCertificates ?? []).filter((fp) => !this.deniedCertificates.has(fp));
  }

  /**
   * Why this client certificate is revoked by fingerprint (denyCertificates), or undefined.
   * Checked for every client certificate, whatever identity it names.
   */
  certificateProblem(cert: (FingerprintedCertificate & CertificateNames) | undefined | null): string | undefined {
    const fingerprint = certificateFingerprint(cert);
    if (!fingerprint || !this.deniedCertificates.has(fingerprint)) return undefined;
    const who = identityOf(cert);
    const identity = who.ok ? `${who.identity.kind} "${who.identity.name}"` : 'an unidentified client';
    return `certificate ${shortFingerprint(fingerprint)} of ${identity} is revoked (denyCertificates in ${this.file})`;
  }

  /** Tells the listeners (open agent streams) that the lists changed. */
  publish(): void {
    for (const fn of [...this.listeners]) fn();
  }

  isRevoked(agentId: string): boolean {
    return this.denied.has(agentId);
  }

  /** Calls `fn` after every update; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The certificate's identity (mTLS), or a refusal. */
  private identify(call: PeerCall): { ok: true; identity: PeerIdentity } | { ok: false; status: grpc.status; reason: string } {
    const cert = call.getAuthContext().sslPeerCertificate as (FingerprintedCertificate & CertificateNames) | null | undefined;
    const result = identityOf(cert);
    if (!result.ok) return { ok: false, status: grpc.status.UNAUTHENTICATED, reason: result.reason };
    const revoked = this.certificateProblem(cert);
    if (revoked) return { ok: false, status: grpc.status.PERMISSION_DENIED, reason: revoked };
    return result;
  }

  /** May this caller call ControlService `method`? */
  admitControl(call: PeerCall, method: string): Admission {
    if (!this.mtls) return { ok: true, name: '', role: 'operator' };
    const who = this.identify(call);
    if (!who.ok) return who;
    const { kind, name } = who.identity;
    if (kind !== 'operator') {
      return {
        ok: false,
        status: grpc.status.PERMISSION_DENIED,
        reason: `${kind} certificate "${name}" cannot use the CLI service; use an operator certificate (convoy certs issue operator <name>)`,
      };
    }
    const role = this.operators.get(name);
    if (!role) {
      return {
        ok: false,
        status: grpc.status.PERMISSION_DENIED,
        reason: `operator "${name}" is not listed under operators: in ${this.file}; add { name: ${name}, role: viewer|operator } and reload convoyd (systemctl reload convoyd)`,
      };
    }
    const needed = requiredRole(method);
    if (!roleAllows(role, needed)) {
      const what = CONTROL_METHOD_COMMANDS[method] ?? method;
      return {
        ok: false,
        status: grpc.status.PERMISSION_DENIED,
        reason: `operator "${name}" is a ${role}; ${what} needs the ${needed} role (operators: in ${this.file})`,
      };
    }
    const seen = peerCertificateExpiry(call.getAuthContext().sslPeerCertificate as Parameters<typeof peerCertificateExpiry>[0]);
    if (seen) this.operatorCertificates.set(name, seen);
    return { ok: true, name, role };
  }

  /** The certificate each operator listed under operators: last called with (since convoyd started). */
  seenOperatorCertificates(): CertificateExpiry[] {
    return [...this.operatorCertificates.values()];
  }

  /** May this caller open the agent stream? `name` is the agent id its Hello must carry ('' without mTLS). */
  admitAgent(call: PeerCall): Admission {
    if (!this.mtls) return { ok: true, name: '' };
    const who = this.identify(call);
    if (!who.ok) return who;
    const { kind, name } = who.identity;
    if (kind !== 'agent') {
      return {
        ok: false,
        status: grpc.status.PERMISSION_DENIED,
        reason: `${kind} certificate "${name}" cannot open the agent stream; an agent needs its own certificate (convoy certs issue agent <id>)`,
      };
    }
    const revoked = this.revokedProblem(name);
    return revoked ? { ok: false, status: grpc.status.PERMISSION_DENIED, reason: revoked } : { ok: true, name };
  }

  /** Why agent `id` may not connect, or undefined. */
  revokedProblem(id: string): string | undefined {
    return this.denied.has(id) ? `agent "${id}" is revoked (denyAgents in ${this.file})` : undefined;
  }
}
