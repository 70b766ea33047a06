/* global process */
/**
 * Preload for profiling a server child (`node -r ./bench/support/exit-on-signal.cjs --cpu-prof …`):
 * exits through process.exit() on SIGTERM/SIGINT so that Node writes the .cpuprofile (Nest's
 * shutdown hooks re-raise the signal, and a death by signal writes no profile). Registered before
 * the app's own handlers, so it runs first. Plain JS on purpose: preloading ts-node would load
 * node:domain and other hooks into the profiled process and skew the profile.
 */
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
