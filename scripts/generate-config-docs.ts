// Writes the generated docs: docs/configuration.md, docs/dockhand.schema.json, docs/retry-rules.md.
import { writeFileSync } from "node:fs";
import { configJsonSchema, configMarkdown } from "../src/config/config-docs.js";
import { retryRulesMarkdown } from "../src/retry/rules-docs.js";

writeFileSync("docs/configuration.md", configMarkdown());
writeFileSync("docs/dockhand.schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
writeFileSync("docs/retry-rules.md", retryRulesMarkdown());
console.log("wrote docs/configuration.md, docs/dockhand.schema.json and docs/retry-rules.md");
