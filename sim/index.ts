import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildBss, type BssConfigInput } from './bss';
import { buildCourier, type CourierConfigInput } from './courier';
import type { Clock } from './clock';
import { buildDialer, type DialerConfigInput } from './dialer';

export { ManualClock, realClock, type Clock } from './clock';

export { buildBss, BssConfigSchema, type BssConfig, type BssConfigInput } from './bss';
export {
  buildCourier,
  CourierConfigSchema,
  DeliveryOutcomeSchema,
  type CourierConfig,
  type CourierConfigInput,
  type DeliveryReport,
} from './courier';
export {
  buildDialer,
  CallOutcomeSchema,
  InboundEventSchema,
  type InboundEvent,
  DialerConfigSchema,
  type CallOutcome,
  type DialerConfig,
  type DialerConfigInput,
} from './dialer';

/** What `npm run sims` listens on; startSims itself defaults to ephemeral ports. */
export const DEFAULT_PORTS = { dialer: 4001, courier: 4002, bss: 4003 } as const;

export interface StartSimsOptions {
  host?: string;
  /** Default seed of every sim; a sim's own config.seed wins. */
  seed?: number | string;
  dialer?: DialerConfigInput;
  courier?: CourierConfigInput;
  bss?: BssConfigInput;
  /** 0 or omitted: an ephemeral port, read the URL from the result. */
  ports?: { dialer?: number; courier?: number; bss?: number };
  /** Omitted: the sims log nothing. */
  logger?: FastifyBaseLogger;
  /**
   * The secret each sim signs its webhooks with (`whsec_…`, sim/README.md). Required: a sim
   * without one refuses to start rather than send webhooks its receiver would refuse.
   */
  webhookSecrets: { dialer: string; courier: string };
  /**
   * What the dialer's simulated world runs by: the hotline's arrivals, queue waits, talk and wrap-up
   * (and the self-service channels' orders). Real time unless given; tests give a ManualClock.
   */
  clock?: Clock;
  /** The bearer token the dialer's self-service channels order at the API with (sim/README.md); none: no Authorization. */
  selfServiceToken?: string;
}

export interface RunningSims {
  dialerUrl: string;
  courierUrl: string;
  bssUrl: string;
  dialer: FastifyInstance;
  courier: FastifyInstance;
  bss: FastifyInstance;
  /** Stops the servers and every pending timer and webhook. */
  close(): Promise<void>;
}

export async function startSims(options: StartSimsOptions): Promise<RunningSims> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 42;
  const ports = options.ports ?? {};
  const loggerFor = (sim: string) => options.logger?.child({ sim });

  const { webhookSecrets } = options;
  const dialer = buildDialer({ ...options.dialer, seed: options.dialer?.seed ?? seed }, { logger: loggerFor('dialer'), webhookSecret: webhookSecrets?.dialer, clock: options.clock, selfServiceToken: options.selfServiceToken });
  const courier = buildCourier({ ...options.courier, seed: options.courier?.seed ?? seed }, { logger: loggerFor('courier'), webhookSecret: webhookSecrets?.courier });
  const bss = buildBss({ ...options.bss, seed: options.bss?.seed ?? seed }, { logger: loggerFor('bss') });
  const apps = [dialer, courier, bss];

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.allSettled(apps.map((app) => app.close())).then(() => undefined);
    return closing;
  };

  const listen = (app: FastifyInstance, name: string, port: number | undefined) =>
    app.listen({ host, port: port ?? 0, listenTextResolver: (address) => `${name} sim listening at ${address}` });

  try {
    const [dialerUrl, courierUrl, bssUrl] = await Promise.all([
      listen(dialer, 'dialer', ports.dialer),
      listen(courier, 'courier', ports.courier),
      listen(bss, 'bss', ports.bss),
    ]);
    return { dialerUrl, courierUrl, bssUrl, dialer, courier, bss, close };
  } catch (err) {
    // One port taken must not leave the other two listening.
    await close();
    throw err;
  }
}
