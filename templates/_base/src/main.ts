/** The process entry point: `node dist/main.mjs` in the image, `npm start` locally. */
import { createApplication } from "./application.js";
import { runApplication } from "./platform/run.js";

await runApplication(createApplication());
