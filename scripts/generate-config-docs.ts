// Writes docs/configuration.md and docs/dockhand.schema.json from the config schema.
import { writeFileSync } from "node:fs";
import { configJsonSchema, configMarkdown } from "../src/config/config-docs.js";

writeFileSync("docs/configuration.md", configMarkdown());
writeFileSync("docs/dockhand.schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote docs/configuration.md and docs/dockhand.schema.json");
