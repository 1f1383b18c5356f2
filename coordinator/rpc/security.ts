/**
 * The one object daemon.ts needs for access control: the policy, the wrapped services, the
 * listener (mutual TLS or loopback plaintext) and the SIGHUP reload of operators, revoked
 * agents and certificates.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { CoordinatorConfig } from '../config.js';
import { AccessPolicy } from './access.js';
import { tolerantService } from './decode.js';
import { guardControlService } from './guard.js';
import { listenMutualTls, listenPlaintext, type GrpcListener, type TlsRefusalCounter } from './listener.js';
import { onSighup, reloadAccessConfig } from './reload.js';

export class GrpcSecurity {
  readonly access: AccessPolicy;
  private listener?: GrpcListener;
  private stopSighup?: () => void;

  constructor(
    private readonly config: CoordinatorConfig,
    private readonly logger: Logger,
    private readonly deps: { clock: Clock; refusals?: TlsRefusalCounter },
  ) {
    this.access = new AccessPolicy({
      mtls: Boolean(config.tls),
      operators: config.operators,
      denyAgents: config.denyAgents,
      denyCertificates: config.denyCertificates,
      file: config.file,
    });
  }

  /** AgentService with malformed messages delivered as refusable values (agent-service.ts refuses them). */
  agentService(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
    return tolerantService(def);
  }

  controlService(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
    return tolerantService(def);
  }

  /** ControlService handlers behind the identity, role and decoding checks. */
  guardControl(def: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation): grpc.UntypedServiceImplementation {
    return guardControlService(def, handlers, this.access, this.logger);
  }

  /** Binds the listener and starts answering SIGHUP; resolves with the bound port. */
  async listen(server: grpc.Server): Promise<number> {
    const { listen, tls } = this.config;
    this.listener = tls
      ? await listenMutualTls(server, listen, tls, {
          logger: this.logger,
          clock: this.deps.clock,
          check: (cert) => this.access.certificateProblem(cert),
          refusals: this.deps.refusals,
        })
      : await listenPlaintext(server, listen);
    this.stopSighup = onSighup(() => this.reload());
    return this.listener.port;
  }

  /** Re-reads coordinator.yaml (what SIGHUP does); false when it was invalid and nothing changed. */
  reload(): boolean {
    return reloadAccessConfig({ config: this.config, access: this.access, listener: this.listener, logger: this.logger });
  }

  /** Stops listening; the daemon shuts the gRPC server down itself. Safe to call twice. */
  close(): void {
    this.stopSighup?.();
    this.stopSighup = undefined;
    this.listener?.close();
    this.listener = undefined;
  }
}
