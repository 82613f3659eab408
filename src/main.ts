import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { parseEnv } from "node:util";
import { getPrivateKey } from "@probot/get-private-key";
import { createProbot, run } from "probot";
import { dockhandOctokit } from "./github/octokit-options.js";
import { createDockhand } from "./index.js";
import { startHttpServer, type Handler } from "./server/http-server.js";
import { LogDestination } from "./server/log-destination.js";
import { createProcessLog } from "./server/process-log.js";
import { exitOnSignal } from "./server/shutdown.js";
import { webhookHandler } from "./server/webhook-handler.js";
import { startWebhookProxy } from "./server/webhook-proxy.js";
import { webhookSecret } from "./server/webhook-secret.js";
import { readSettings, SettingsError } from "./settings.js";

/**
 * Process entry: the Dockhand app on Dockhand's HTTP server (src/server/), or, without the app's id and
 * key (a first start, the Docker image's included), Probot's setup flow (app.yml). A setting that cannot
 * work stops the process at once with one line on stderr naming the variable and the fix, and exit code 1.
 */
loadDotEnv();
const env = process.env;
const configuration = startupConfiguration();
const destination = new LogDestination();
const log = await createProcessLog(env, destination);
if (configuration.warning) log.warn(configuration.warning);

if (!configuration.credentials) {
  // Probot's setup flow serves its pages and never loads an app. Its run() refuses to serve it when
  // NODE_ENV=production, which is how the image starts before there is an app: that refusal is dropped,
  // and so is the smee.io channel it would then create (WEBHOOK_PROXY_URL still picks one).
  if (env.NODE_ENV === "production") {
    env.NO_SMEE_SETUP ??= "true";
    delete env.NODE_ENV;
  }
  await run(() => undefined, { log });
} else {
  const lifecycle = { draining: false };
  const { settings } = configuration;
  const probot = createProbot({
    overrides: { ...configuration.credentials, secret: configuration.secret, log, Octokit: dockhandOctokit(settings) },
  });
  const handlers: Handler[] = [];
  let close: (() => Promise<void>) | undefined;
  await probot.load(createDockhand({ settings, lifecycle, onStarted: (handles) => (close = handles.close) }), {
    cwd: process.cwd(),
    addHandler: (handler) => handlers.push(handler),
  });
  const server = await startHttpServer({
    host: env.HOST || "localhost",
    port: Number(env.PORT) || 3000,
    handlers: [
      await webhookHandler(probot, probot.log, {
        secret: configuration.secret,
        readBytes: settings.webhookReadBytes,
      }),
      ...handlers,
    ],
    log: probot.log,
  });
  const proxy = await startWebhookProxy(
    env.WEBHOOK_PROXY_URL,
    `http://127.0.0.1:${(server.server.address() as AddressInfo).port}${probot.webhookPath}`,
    probot.log,
  );
  exitOnSignal({
    timeoutMs: settings.shutdownTimeoutMs,
    log: probot.log,
    onSignal: () => (lifecycle.draining = true),
    drain: () => Promise.all([server.close(), close?.(), proxy?.close()]),
    flushLog: (timeoutMs) => destination.flushed(timeoutMs),
  });
}

/** Everything that can stop the start, checked before anything runs. */
function startupConfiguration() {
  try {
    const settings = readSettings(env);
    const appId = Number(env.APP_ID);
    const privateKey = readPrivateKey();
    // Neither yet (a first start): the setup flow registers the app, and needs no secret.
    if (!env.APP_ID && !privateKey) return { settings, secret: undefined, warning: undefined, credentials: undefined };
    const { secret, warning } = webhookSecret(env);
    if (appId && privateKey) return { settings, secret, warning, credentials: { appId, privateKey } };
    if (env.NODE_ENV === "production") {
      throw new SettingsError(
        `${appId ? "PRIVATE_KEY" : "APP_ID"} is not set; it is required when NODE_ENV=production: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) to your GitHub App's.`,
      );
    }
    return { settings, secret, warning, credentials: undefined };
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`dockhand: ${error.message}\n`);
    process.exit(1);
  }
}

function readPrivateKey(): string | undefined {
  try {
    return getPrivateKey({ env }) ?? undefined;
  } catch (error) {
    // Its messages name the variable or path, never the key.
    throw new SettingsError((error as Error).message.replace("[@probot/get-private-key] ", ""));
  }
}

/** `.env` in the working directory (the setup flow writes it) over the environment, as Probot's `run()` reads it. */
function loadDotEnv(): void {
  try {
    Object.assign(process.env, parseEnv(readFileSync(".env", "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
