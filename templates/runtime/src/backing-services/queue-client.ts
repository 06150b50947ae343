import { randomUUID } from "node:crypto";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import amqplib, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import type { BackingServiceConnection, BackingServiceTarget } from "./backing-service.js";

/** Handles one message's JSON body; throwing rejects the message. */
export type MessageHandler = (body: unknown, message: ConsumeMessage) => Promise<void>;

interface Consumer {
  readonly queue: string;
  readonly handler: MessageHandler;
}

/**
 * The spans of messages, through the OpenTelemetry API: without the SDK (tracing off) they
 * are no-ops, and `inject` / `extract` carry nothing.
 */
const tracer = trace.getTracer("@platform/service-runtime");

/** How every queue is declared: durable quorum queues (see `QueueClient.setUp`). */
export const QUEUE_OPTIONS = { durable: true, arguments: { "x-queue-type": "quorum" } } as const;

/**
 * A queue backing service (RabbitMQ, AMQP 0-9-1) as a service uses it: one confirm
 * channel on which the manifest's queues are declared durable, and two helpers that
 * cover the usual case. `channel` is there for the rest (amqplib's own API).
 *
 * The connection recovers by itself: after a reconnect the channel is opened again, the
 * queues declared again and every consumer subscribed again; so is a channel the broker
 * closed on a live connection (after a channel error). While it is down, `publishJson`
 * fails at once.
 */
export class QueueClient {
  private current: ConfirmChannel | undefined;
  private readonly consumers: Consumer[] = [];
  private readonly handling = new Set<Promise<void>>();
  /** The consumer tags on the current channel, to cancel them before it closes. */
  private consumerTags: string[] = [];
  private closing = false;

  /** @internal Made by the runtime; use `context.resource(name)`. */
  constructor(
    private readonly target: BackingServiceTarget,
    /** The queues the manifest declares, which the runtime declares durable at every (re)connection. */
    readonly queues: readonly string[],
  ) {}

  /** The channel of the current connection; throws while the connection is down. */
  get channel(): ConfirmChannel {
    if (!this.current) throw new Error(`${this.target.name}: the queue connection is down; reconnecting`);
    return this.current;
  }

  /**
   * Publishes `body` as JSON to `queue`, persistent (it survives a broker restart in a
   * durable queue), and resolves once the broker has confirmed it. With tracing on, the
   * message carries the W3C `traceparent` of a producer span in its headers, which the
   * consumer continues.
   */
  async publishJson(queue: string, body: unknown): Promise<void> {
    this.declared(queue);
    const content = Buffer.from(JSON.stringify(body));
    const channel = this.channel;
    const span = tracer.startSpan(`publish ${queue}`, {
      kind: SpanKind.PRODUCER,
      attributes: messagingAttributes(queue, "send"),
    });
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), headers);
    return new Promise<void>((resolve, reject) => {
      channel.sendToQueue(
        queue,
        content,
        { persistent: true, contentType: "application/json", messageId: randomUUID(), headers },
        (error) =>
          error ? reject(new Error(`${this.target.name}: the broker refused the message to ${queue}`)) : resolve(),
      );
    }).then(
      () => span.end(),
      (error: Error) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.end();
        throw error;
      },
    );
  }

  /**
   * Delivers each message of `queue` to `handler`, one at a time, with its parsed JSON
   * body. A handler that resolves acknowledges the message; one that throws rejects it,
   * and the message is delivered once more, then dropped (and logged) if it fails
   * again, so that one bad message cannot loop forever. A body that is not JSON is
   * dropped at once. The subscription survives reconnections.
   */
  async consumeJson(queue: string, handler: MessageHandler): Promise<void> {
    this.declared(queue);
    const consumer = { queue, handler };
    this.consumers.push(consumer);
    if (this.current) await this.subscribe(this.current, consumer);
  }

  /** @internal Opens the channel of a new connection: declares the queues, subscribes the consumers. */
  async setUp(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on("error", (error: Error) => this.target.log.warn({ err: error }, "queue channel error"));
    channel.on("close", () => {
      if (this.current !== channel) return;
      this.current = undefined;
      this.consumerTags = [];
      // A channel error closes the channel alone: open another on the same connection. When
      // the connection is gone this fails, and the reconnection sets a channel up instead.
      if (!this.closing)
        this.setUp(model).catch((error: unknown) =>
          this.target.log.debug({ err: error }, "reopening the channel failed; waiting for the reconnection"),
        );
    });
    // Quorum queues: replicated on a majority of the broker's nodes (3 in production), so one
    // node's loss loses no message and stops no queue; RabbitMQ 4 no longer mirrors classic
    // queues. A queue keeps its type for life: declaring it with another one fails.
    for (const queue of this.queues) await channel.assertQueue(queue, QUEUE_OPTIONS);
    // One unacknowledged message per consumer: the next one waits until it is handled.
    await channel.prefetch(1);
    for (const consumer of this.consumers) await this.subscribe(channel, consumer);
    this.current = channel;
  }

  /**
   * Stops taking messages, and waits for the ones being handled (the runtime also does it
   * on shutdown): the consumers are cancelled first, so that the broker sends no more,
   * then the messages in hand finish and are acknowledged on the open channel, and only
   * then does the channel close. Closing it first would make the broker requeue the
   * messages in hand, and run their jobs again elsewhere.
   */
  async stopConsuming(): Promise<void> {
    this.closing = true;
    const channel = this.current;
    if (channel)
      for (const tag of this.consumerTags.splice(0))
        await channel.cancel(tag).catch((error: unknown) => this.target.log.debug({ err: error }, "cancel failed"));
    await Promise.allSettled([...this.handling]);
    if (channel) await channel.close().catch(() => undefined);
  }

  private async subscribe(channel: ConfirmChannel, { queue, handler }: Consumer): Promise<void> {
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (!message || this.closing) return;
      const handled = this.traced(queue, message, () => this.handle(channel, message, handler));
      this.handling.add(handled);
      void handled.finally(() => this.handling.delete(handled));
    });
    this.consumerTags.push(consumerTag);
  }

  /** Handles a message in a consumer span that continues the producer's `traceparent`, if it has one. */
  private async traced(queue: string, message: ConsumeMessage, handle: () => Promise<void>): Promise<void> {
    const parent = propagation.extract(ROOT_CONTEXT, message.properties.headers ?? {});
    const span = tracer.startSpan(
      `process ${queue}`,
      { kind: SpanKind.CONSUMER, attributes: messagingAttributes(queue, "process") },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), handle);
    } finally {
      span.end();
    }
  }

  private async handle(channel: ConfirmChannel, message: ConsumeMessage, handler: MessageHandler): Promise<void> {
    const log = this.target.log.child({ queue: message.fields.routingKey, deliveryTag: message.fields.deliveryTag });
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString("utf8"));
    } catch {
      log.error("a message that is not JSON was dropped");
      channel.nack(message, false, false);
      return;
    }
    try {
      await handler(body, message);
      channel.ack(message);
    } catch (error) {
      const requeue = !message.fields.redelivered;
      log.error(
        { err: error, requeue },
        requeue ? "message failed; delivered once more" : "message failed again; dropped",
      );
      // The channel may have closed meanwhile: the broker then delivers the message again itself.
      try {
        channel.nack(message, false, requeue);
      } catch (nackError) {
        log.warn({ err: nackError }, "rejecting the message failed; the broker will deliver it again");
      }
    }
  }

  private declared(queue: string): void {
    if (!this.queues.includes(queue))
      throw new Error(
        `${this.target.name}: queue ${JSON.stringify(queue)} is not in backingServices.${this.target.name}.queues of service.ts; declared: ${this.queues.join(", ")}`,
      );
  }
}

/** The OpenTelemetry messaging attributes of a span of `queue`. */
function messagingAttributes(queue: string, operation: "send" | "process"): Record<string, string> {
  return {
    "messaging.system": "rabbitmq",
    "messaging.destination.name": queue,
    "messaging.operation.type": operation,
  };
}

/**
 * Connects to a queue backing service with amqplib's recovery: a first connection that
 * fails fails the start; once connected, it reconnects for ever (100 ms, doubling up to
 * 2 s between attempts) and sets the channel up again each time.
 */
export async function openQueue(
  target: BackingServiceTarget<{ type: "queue"; queues: readonly string[] }>,
): Promise<BackingServiceConnection<"queue">> {
  const client = new QueueClient(target, target.declaration.queues);
  let connected = false;
  const connection = await amqplib.connect(target.url.href, {
    recovery: {
      initialDelay: 100,
      maxDelay: 2_000,
      initialMaxRetries: 0,
      maxRetries: Number.POSITIVE_INFINITY,
      setup: (model: ChannelModel) => client.setUp(model),
    },
  });
  connected = true;
  connection.on("connect", () => {
    connected = true;
    target.log.info("queue connection established again");
  });
  connection.on("disconnect", (error: Error) => {
    connected = false;
    target.log.warn({ err: error }, "queue connection lost; reconnecting");
  });
  connection.on("error", (error: Error) => target.log.warn({ err: error }, "queue connection error"));
  return {
    client,
    async check() {
      if (!connected) throw new Error("not connected; reconnecting");
      // Opens nothing: a channel that the broker closed, or that is not set up again yet, is down.
      client.channel;
    },
    async close() {
      await client.stopConsuming();
      await connection.close();
    },
  };
}
