// The notification route's work: find the @OnDepositNotification() and @OnPayoutNotification() handlers at
// bootstrap, hand the raw body to core's receiver (which routes each notification to its handler by kind) and
// write its reply back through the platform's adapter. It never throws to Nest.
import {
  createNotificationReceiver,
  createReconciler,
  type DiamondPay,
  type DiscrepancyEvent,
  type NotificationReceiver,
  type ReceiveResult,
  type Reconciler,
} from '@diamondpay/core';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import {
  DIAMONDPAY_CLIENT,
  DIAMONDPAY_NOTIFICATION_ROUTE,
  DIAMONDPAY_OPTIONS,
  ON_DEPOSIT_NOTIFICATION,
  ON_PAYOUT_NOTIFICATION,
} from './diamond-pay.constants.js';
import type { DiamondPayModuleOptions } from './diamond-pay.interfaces.js';
import { bypassExpressParsers } from './diamond-pay.raw-body.express.js';
import { installFastifyPayloadHook } from './diamond-pay.raw-body.fastify.js';
import { findRawBody } from './diamond-pay.raw-body.js';
import type { NotificationRoute } from './diamond-pay-notification.controller.js';

// The discovered method, called as it was written: (notification, request), or with a ledger
// (notification, { tx, order, source }, request). The notification's kind is the decorator's: core
// routes deposits and payouts to their own handler.
type Handler = (notification: any, ...rest: unknown[]) => unknown;

const KINDS = [
  { key: ON_DEPOSIT_NOTIFICATION, decorator: '@OnDepositNotification()' },
  { key: ON_PAYOUT_NOTIFICATION, decorator: '@OnPayoutNotification()' },
] as const;

const RAW_BODY_FIX =
  "Keep that parser off the notification route, or have it keep the bytes in req.rawBody (as Nest's own parsers do with " +
  '`NestFactory.create(AppModule, { rawBody: true })`).';

@Injectable()
export class DiamondPayNotificationService
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('DiamondPayModule');
  private receiver!: NotificationReceiver<unknown>;
  private reconciler: Reconciler | undefined;

  constructor(
    @Inject(DIAMONDPAY_OPTIONS) private readonly options: DiamondPayModuleOptions,
    @Inject(DIAMONDPAY_NOTIFICATION_ROUTE) private readonly route: NotificationRoute,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(DIAMONDPAY_CLIENT) private readonly client: DiamondPay,
  ) {}

  /** Starts the reconciler, when configured, once the app is up. */
  onApplicationBootstrap(): void {
    const config = this.options.reconciler;
    if (!config) return;
    const { intervalMs, onError, ...reconcilerOptions } = config;
    this.reconciler = createReconciler<unknown>({
      ...reconcilerOptions,
      client: this.client,
      receiver: this.receiver,
      onError:
        onError ??
        ((error, order) =>
          this.logger.warn(
            `Reconciliation ${order ? `of ${order.kind} ${order.cl_id} ` : ''}failed: ${describe(error)}`,
          )),
    });
    this.reconciler.start({ intervalMs });
  }

  /** Stops the reconciler and waits for its running pass. */
  async onApplicationShutdown(): Promise<void> {
    await this.reconciler?.stop();
  }

  onModuleInit(): void {
    const [deposit, payout] = this.findHandlers();
    const {
      path: _path,
      decorators: _decorators,
      onError,
      onDiscrepancy,
      ...receiverOptions
    } = this.options.notifications ?? {};
    const common = {
      ...receiverOptions,
      platformId: this.options.platformId,
      platformKey: this.options.platformKey,
      onError: onError ?? ((error: unknown, result: ReceiveResult) => this.logRefusal(error, result)),
    };
    const ledger = this.options.ledger;
    this.receiver = ledger
      ? createNotificationReceiver<unknown>({
          ...common,
          ledger,
          store: common.store as undefined,
          ...(deposit ? { onDeposit: (n, request, l) => deposit(n, l, request) } : {}),
          ...(payout ? { onPayout: (n, request, l) => payout(n, l, request) } : {}),
          onDiscrepancy: (event, request, l) =>
            onDiscrepancy ? onDiscrepancy(event, l, request) : this.logDiscrepancy(event),
        })
      : createNotificationReceiver<unknown>({
          ...common,
          ...(deposit ? { onDeposit: deposit } : {}),
          ...(payout ? { onPayout: payout } : {}),
          // Refused by core without a ledger, with a message naming the option.
          ...(onDiscrepancy ? { onDiscrepancy: onDiscrepancy as never } : {}),
        });
    // Runs after Nest registered its body parsers and routes (app.init), before the server listens.
    const adapter = this.adapterHost.httpAdapter;
    const platform = adapter?.getType();
    if (platform === 'fastify') installFastifyPayloadHook(adapter.getInstance(), this.route.path);
    if (platform === 'express') bypassExpressParsers(adapter.getInstance(), this.route.path);
  }

  /** Answers one notification request; never throws (Nest's exception filters never see handler errors). */
  async handle(request: any, response: unknown): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    const result = await this.receiver.handle(
      {
        method: adapter.getRequestMethod(request),
        headers: request.headers ?? {},
        body: findRawBody(request),
      },
      request,
      { rawBodyHint: RAW_BODY_FIX },
    );
    try {
      for (const name in result.headers) adapter.setHeader(response, name, result.headers[name]!);
      const sent: unknown = adapter.reply(response, result.body, result.status);
      // Fastify's reply is a thenable that settles when the response has been written: nothing is
      // left to do by then, and waiting costs a listener and a promise per notification. A promise
      // (an adapter that replies asynchronously) is waited for, so its failure is logged here.
      if (sent instanceof Promise) await sent;
    } catch (error) {
      this.logger.error(`Could not write the notification reply: ${describe(error)}`);
    }
  }

  /** The deposit and payout handlers (each at most one, at least one of them), found in any module. */
  private findHandlers(): [Handler | undefined, Handler | undefined] {
    const found = KINDS.map(() => [] as { owner: string; method: string; call: Handler }[]);
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const prototype = instance ? Object.getPrototypeOf(instance) : wrapper.metatype?.prototype;
      if (!prototype || wrapper.isAlias) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        KINDS.forEach((kind, k) => {
          if (!this.reflector.get(kind.key, prototype[method])) return;
          const owner = String(wrapper.name ?? wrapper.metatype?.name ?? 'provider');
          if (!wrapper.isDependencyTreeStatic() || !instance) {
            throw new Error(
              `DiamondPayModule: ${owner}.${method}() is marked ${kind.decorator} but ${owner} is request-scoped (or depends on a request-scoped provider); the handler must live in a singleton provider.`,
            );
          }
          found[k]!.push({
            owner,
            method,
            call: (n, ...rest) => (instance[method] as Handler).call(instance, n, ...rest),
          });
        });
      }
    }
    const route = `POST /${this.route.path.replace(/^\/+/, '')}`;
    if (found.every((f) => f.length === 0)) {
      throw new Error(
        `DiamondPayModule: notifications are enabled (${route}) but no provider method is marked @OnDepositNotification() or @OnPayoutNotification(). Add one to a provider, e.g. \`@OnDepositNotification() async onDeposit(notification: DepositNotification) { ... }\`, or remove the \`notifications\` option.`,
      );
    }
    KINDS.forEach((kind, k) => {
      if (found[k]!.length <= 1) return;
      const names = found[k]!.map((f) => `${f.owner}.${f.method}()`).join(', ');
      throw new Error(
        `DiamondPayModule: more than one ${kind.decorator} handler (${names}). Keep one: its success is what acknowledges the notification; call your other services from it.`,
      );
    });
    return [found[0]![0]?.call, found[1]![0]?.call];
  }

  private logDiscrepancy(event: DiscrepancyEvent): void {
    this.logger.warn(`Notification discrepancy (${event.reason}, ${event.source}): ${event.message}`);
  }

  private logRefusal(error: unknown, result: ReceiveResult): void {
    const what = `Notification ${result.outcome} (${result.status})`;
    if (result.outcome === 'failed' || result.status >= 500) {
      this.logger.error(`${what}: ${describe(error)}`, stackOf(error));
    } else if (result.outcome === 'busy') this.logger.log(`${what}: another delivery is being processed.`);
    else this.logger.warn(`${what}: ${describe(error ?? result.body)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
