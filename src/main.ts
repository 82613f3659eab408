import { run } from "probot";
import dockhand from "./index.js";

/** Process entry: Probot's server with the Dockhand app (setup flow from app.yml when unconfigured). */
await run(dockhand);
