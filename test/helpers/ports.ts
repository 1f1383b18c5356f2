/** Ephemeral TCP ports on 127.0.0.1: the same helpers the demo uses. */
export { freePort, freePorts, isListening } from '../../shared/ports.js';
