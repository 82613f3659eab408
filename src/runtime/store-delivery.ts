/**
 * How long the webhook path waits for the queue to take a delivery. Probot's middleware answers 202
 * after 9 s whatever happens, and GitHub gives up after 10 s: a queue that has not answered by then
 * (Redis unreachable: ioredis holds commands while it reconnects) must be answered 503 before either.
 */
export const STORE_DEADLINE_MS = 5_000;

/**
 * The delivery could not be stored: GitHub must record it failed (Probot's middleware answers with
 * the thrown error's `status`), so that the recovery loop asks for it again (src/redeliver/). Never a
 * 2xx for work that was not stored.
 */
export class DeliveryNotStoredError extends Error {
  readonly status = 503;
  override readonly name = "DeliveryNotStoredError";
}

/**
 * `add`'s answer (queued, or the same work already was), or DeliveryNotStoredError when it fails or
 * has not answered within `deadlineMs`. An add that answers later still stores the work, which its
 * work id then keeps from being done twice when GitHub redelivers it.
 */
export async function storeDelivery(add: () => Promise<boolean>, deadlineMs = STORE_DEADLINE_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeliveryNotStoredError(`the queue did not take the delivery within ${deadlineMs} ms`)),
      deadlineMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve().then(add), late]);
  } catch (error) {
    if (error instanceof DeliveryNotStoredError) throw error;
    throw new DeliveryNotStoredError("the queue refused the delivery", { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
