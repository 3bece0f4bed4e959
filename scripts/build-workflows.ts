import path from 'node:path';
import { buildWorkflowBundle } from '../workers/bundle';
import { ROOT } from './stack/paths';

/** `npm run build:workflows [-- out-file]`: the prebuilt workflow bundle a production worker loads. */
const out = path.resolve(ROOT, process.argv[2] ?? 'dist/workflow-bundle.js');
await buildWorkflowBundle(out);
console.log(`workflow bundle written to ${path.relative(ROOT, out)}`);
