// Entry for the bundle test: the provider layer's public entry, as the agent runner will import it.
export { createFailover, createModelRegistry } from "../../src/providers/index.js";
