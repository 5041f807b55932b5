// The action's entry point (dist/index.js is this, bundled): nothing but run().
import { run } from './main.js';

await run();
