import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import type { LogDestination } from "./log-destination.js";

/**
 * The process's logger: Probot's format (`@probot/pino`: pretty or JSON lines, Sentry) read from the same
 * variables as Probot's `run()` (LOG_LEVEL, LOG_FORMAT, LOG_LEVEL_IN_STRING, LOG_MESSAGE_KEY, SENTRY_DSN),
 * written to a destination that never blocks (log-destination.ts) instead of Probot's, whose exit flush
 * retries a broken or full pipe forever.
 */
export async function createProcessLog(
  env: Record<string, string | undefined>,
  destination: LogDestination,
): Promise<Logger> {
  const logFormat = env.LOG_FORMAT
    ? env.LOG_FORMAT === "pretty"
      ? "pretty"
      : "json"
    : env.NODE_ENV === "production"
      ? "json"
      : "pretty";
  const transform = await getTransformStream({
    logFormat,
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN || undefined,
  });
  transform.on("data", (line: string | Buffer) => destination.write(String(line)));
  return pino(
    {
      level: env.LOG_LEVEL || "info",
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      serializers: { err: errorWithoutPayload, event: eventSummary },
    },
    transform,
  );
}

/**
 * @octokit/webhooks attaches the delivery (`{ id, name, payload, signature }`) to the errors it raises,
 * and Probot logs them: the payload, up to 25 MB and unauthenticated when the signature failed, is
 * written as its size.
 */
function errorWithoutPayload(error: unknown): unknown {
  return withoutPayload(pino.stdSerializers.err(error as Error));
}

function withoutPayload(serialized: unknown): unknown {
  if (typeof serialized !== "object" || serialized === null) return serialized;
  const fields = serialized as { event?: unknown; aggregateErrors?: unknown[] };
  if ("event" in fields) fields.event = eventSummary(fields.event);
  fields.aggregateErrors?.forEach(withoutPayload);
  return serialized;
}

/** A webhook event as its id, name and payload size; anything else (our `event: "workflow_run"` fields) as it is. */
function eventSummary(event: unknown): unknown {
  if (typeof event !== "object" || event === null || !("payload" in event)) return event;
  const { id, name, payload } = event as { id?: unknown; name?: unknown; payload: unknown };
  return { id, name, payloadBytes: typeof payload === "string" ? Buffer.byteLength(payload) : undefined };
}
