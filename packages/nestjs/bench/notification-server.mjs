// The server under load, in its own process (plain Node, no tsx): the BUILT @diamondpay/nestjs, so
// @diamondpay/core resolves through its `node` export condition as in a deployed app.
// Usage: node notification-server.mjs express|fastify. Prints "LISTENING <port>"; reports its CPU time
// and the requests served per route over IPC.
// Plain JavaScript, so decorators are applied with Reflect.decorate (what compiled TypeScript does).
import 'reflect-metadata';
import { Controller, Header, HttpCode, Injectable, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HEADERS, handWrittenReceiver } from '../../../bench/hand-written.mjs';
import { reportStats } from '../../../bench/server-stats.mjs';
import {
  createNotificationReceiver,
  DiamondPayModule,
  MemoryNotificationStore,
  OnDepositNotification,
} from '../dist/index.js';

const ACK = '{"error_code":"0000"}';
const KEY = 'ThisIsYourSecretKey123';
const platform = process.argv[2] ?? 'express';
const counts = { notify: 0, bare: 0, direct: 0, hand: 0 };

const method = (decorators, cls, name) =>
  Reflect.decorate(decorators, cls.prototype, name, Object.getOwnPropertyDescriptor(cls.prototype, name));

class Handler {
  onDeposit() {}
}
method([OnDepositNotification()], Handler, 'onDeposit');
Reflect.decorate([Injectable()], Handler);

// Baseline 1: a plain Nest route giving the same reply (no verification).
class BareController {
  bare() {
    counts.bare++;
    return ACK;
  }
}
method(
  [
    Post(),
    HttpCode(200),
    Header('content-type', 'application/json; charset=utf-8'),
    Header('cache-control', 'no-store'),
  ],
  BareController,
  'bare',
);
Reflect.decorate([Controller('bare')], BareController);

// Baseline 2: core's receiver called from a minimal Nest route (req.rawBody in, reply out), without
// the module: the difference to the module's route is what the adapter costs.
const receiver = createNotificationReceiver({
  platformId: 'PF0002',
  platformKey: KEY,
  store: new MemoryNotificationStore(),
  onDeposit() {},
  onResult() {
    counts.direct++;
  },
});
class DirectController {
  async direct(req, res) {
    const r = await receiver.receive(req.rawBody, undefined);
    if (platform === 'fastify') res.code(r.status).headers(r.headers).send(r.body);
    else res.status(r.status).set(r.headers).send(r.body);
  }
}
method([Post()], DirectController, 'direct');
Req()(DirectController.prototype, 'direct', 0);
Res()(DirectController.prototype, 'direct', 1);
Reflect.decorate([Controller('direct')], DirectController);

// Baseline 3: the hand-written route a merchant would write instead: req.rawBody (Nest's rawBody
// option), JSON.parse, sort, createHmac, compare, de-duplicate in a Map, reply (bench/hand-written.mjs).
const hand = handWrittenReceiver(KEY);
class HandController {
  hand(req, res) {
    counts.hand++;
    const r = hand.receive(req.rawBody.toString('utf8'));
    if (platform === 'fastify') res.code(r.status).headers(HEADERS).send(r.body);
    else res.status(r.status).set(HEADERS).send(r.body);
  }
}
method([Post()], HandController, 'hand');
Req()(HandController.prototype, 'hand', 0);
Res()(HandController.prototype, 'hand', 1);
Reflect.decorate([Controller('hand')], HandController);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        DiamondPayModule.forRoot({
          baseUrl: 'http://127.0.0.1:9',
          platformId: 'PF0002',
          platformKey: KEY,
          notifications: {
            store: new MemoryNotificationStore(),
            onResult() {
              counts.notify++;
            },
          },
        }),
      ],
      controllers: [BareController, DirectController, HandController],
      providers: [Handler],
    }),
  ],
  AppModule,
);

const adapter =
  platform === 'fastify'
    ? new (await import('@nestjs/platform-fastify')).FastifyAdapter()
    : new (await import('@nestjs/platform-express')).ExpressAdapter();
const app = await NestFactory.create(AppModule, adapter, { rawBody: true, logger: false });
await app.listen(0, '127.0.0.1');
reportStats(() => counts);
console.log(`LISTENING ${app.getHttpServer().address().port}`);
