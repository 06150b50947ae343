import { type Application, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/** Lists the ledger's entries, which a migration seeds. */
export function createApplication(): Application<typeof MANIFEST> {
  return {
    manifest: MANIFEST,
    routes(router, context) {
      router.get("/entries", async () => ({
        body: (await context.resource("db").query("SELECT entry FROM entries ORDER BY id")).rows,
      }));
    },
    async onStart(context) {
      // The migrations ran before onStart: the seeded entry is there.
      await context.resource("db").query("SELECT entry FROM entries");
    },
  };
}
