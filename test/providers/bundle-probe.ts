// Entry for the bundle test: the provider layer as the agent runner will import it.
export { createFailover } from "../../src/providers/failover.js";
export { createModelRegistry } from "../../src/providers/registry.js";
