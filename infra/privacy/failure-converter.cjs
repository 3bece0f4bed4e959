// The failure converter of every process that talks to Temporal and of the workflow sandbox: a
// failure's message and stack trace travel as an encoded payload (then encrypted by the payload
// codec), not in clear. Plain CommonJS on purpose: the SDK require()s this file by its path in
// each process (clients, the worker's main thread, replays, under vitest too, where tsx is not
// loaded) and webpack bundles it into the workflow code; only a .cjs file loads the same in all.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
