import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import cors from '@fastify/cors';
import { z } from 'zod';
// a CommonJS package whose names Node's ESM loader cannot see: the default export holds them
import proto from '@temporalio/proto';
import type { Payload } from '@temporalio/common';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError, rules } from '../errors';
import { AesGcmPayloadCodec } from '../../infra/privacy/payload-codec';
import { payloadKeys } from '../../infra/privacy/payload-keys';
import { installSessionCookie, keepTokenInCookie, type SessionCookie } from '../access/session-cookie';
import { CODEC_COOKIE, codecSignInPage } from './codec-sign-in';

/** The codec routes' cookie (Path=/codec). */
const CODEC_SESSION: SessionCookie = { name: CODEC_COOKIE, path: '/codec' };

const ProtoPayload = proto.temporal.api.common.v1.Payload;
const Base64 = z.string().max(64 * 1024 * 1024).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
/** Payloads as the codec server protocol sends them: proto3 JSON, bytes in base64. */
const Payloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string().max(200), Base64).optional(), data: Base64.optional() })).max(10_000),
});
type PayloadsJson = z.infer<typeof Payloads>;

const fromJson = (body: PayloadsJson): Payload[] => body.payloads.map((p) => ProtoPayload.toObject(ProtoPayload.fromObject(p)) as Payload);
const toJson = (payloads: Payload[]): PayloadsJson => ({
  payloads: payloads.map((p) => ProtoPayload.toObject(ProtoPayload.create(p as proto.temporal.api.common.v1.IPayload), { bytes: String }) as PayloadsJson['payloads'][number]),
});

/** A UI's or CLI's X-Namespace names the namespace its payloads come from: only ours has our keys. */
function sameNamespace(deps: AppDeps) {
  return async (request: FastifyRequest) => {
    const ns = request.headers['x-namespace'];
    if (ns !== undefined && ns !== deps.config.TEMPORAL_NAMESPACE) {
      throw new HttpError(400, 'bad-request', `this codec server holds the keys of namespace '${deps.config.TEMPORAL_NAMESPACE}', not '${String(ns)}'`);
    }
  };
}

/**
 * The codec server (the Temporal protocol: POST /codec/encode and /codec/decode): the Temporal
 * UI and CLI send it payloads as stored and show what it answers. Only `ops` (and admins) may: by
 * bearer token (the CLI's --codec-auth, a UI that passes its users' access tokens) or by the
 * session cookie /codec/session sets, for a UI without a login of its own (the dev server's). The
 * UI calls from its own origin, so CORS lets exactly the configured UI origins read the answers,
 * with credentials.
 */
export const codecServerRoutes = (deps: AppDeps): FastifyPluginAsync => async (parent) => {
  const codec = new AesGcmPayloadCodec(payloadKeys(deps.config.TEMPORAL_PAYLOAD_KEYS));
  await parent.register(async (scope) => {
    // The cookie's token is the bearer token of a browser that has no other way to send one (a
    // header, when there is one, wins): on the codec routes, not on the route that sets it.
    await installSessionCookie(scope, CODEC_SESSION, (request) => request.method === 'POST' && request.url !== '/codec/session');
    await scope.register(cors, {
      origin: uiOrigins(deps.config), credentials: true, methods: ['POST'], allowedHeaders: ['content-type', 'authorization', 'x-namespace'], maxAge: 600,
    });
    const app = scope.withTypeProvider<ZodTypeProvider>();
    for (const [op, run] of [['encode', (p: Payload[]) => codec.encode(p)], ['decode', (p: Payload[]) => codec.decode(p)]] as const) {
      app.post(`/${op}`, {
        // a page of the UI asks for every payload it shows: reads, not in the audit log
        config: { roles: ['ops'], changesNothing: true },
        bodyLimit: 64 * 1024 * 1024,
        preHandler: sameNamespace(deps),
        schema: {
          tags: ['ops'],
          summary: op === 'decode'
            ? 'Codec server: decrypt Temporal payloads for the Temporal UI and CLI (payloads not encrypted come back as they are)'
            : 'Codec server: encrypt Temporal payloads (what the UI or CLI sends a workflow)',
          body: Payloads,
          response: { 200: Payloads, 400: ErrorBody, ...rules('payloads: encrypted with a key this server holds, and untouched since') },
        },
      }, async (request) => {
        try {
          return toJson(await run(fromJson(request.body)));
        } catch (err) {
          throw new HttpError(422, 'undecodable', (err as Error).message);
        }
      });
    }

    app.post('/session', {
      config: { roles: ['ops'] },
      schema: {
        tags: ['ops'],
        summary: "Codec server: keep the caller's token in a cookie for the codec routes, so a Temporal UI without a login can decode",
        response: { 200: z.object({ sub: z.string(), expiresAt: z.string().nullable().describe('when the token, and so the cookie, expires') }) },
      },
    }, async (request: FastifyRequest, reply: FastifyReply) => keepTokenInCookie(request, reply, CODEC_SESSION));

    app.get('/sign-in', {
      config: { public: true },
      // a page for a browser, not an operation of the API: left out of its document
      schema: { hide: true, summary: 'Codec server: a page that signs this browser in with an ops token (given after #) for the Temporal UI' },
    }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(codecSignInPage(deps.config.TEMPORAL_UI_URL)));
  }, { prefix: '/codec' });
};

/** The Temporal UI's origin, as configured, and its twin by the other loopback name. */
export function uiOrigins(config: AppDeps['config']): string[] {
  const origin = new URL(config.TEMPORAL_UI_URL).origin;
  const twin = origin.replace('//127.0.0.1', '//localhost') !== origin ? origin.replace('//127.0.0.1', '//localhost') : origin.replace('//localhost', '//127.0.0.1');
  return [...new Set([origin, twin])];
}
