// A server under load, in its own process (plain Node, no tsx). `sandbox`: the BUILT sandbox, so
// @diamondpay/core resolves through its `node` export condition as in a real install. `bare`: a bare
// node:http server that reads the body and answers a fixed create-deposit-shaped JSON (the baseline).
// Prints "LISTENING <port>"; reports CPU time (and the sandbox's counters) over IPC.
import http from 'node:http';
import { reportStats } from '../../../bench/server-stats.mjs';
import { startSandbox } from '../dist/index.js';

const FIXED =
  '{"error_code":"0000","data":{"link":"http://127.0.0.1/cashier/PM10000000","payment_id":"PM10000000","payment_cl_id":"bench","amount":50000000,"token":"abcdefghij","card_name":"다이아몬드페이","card_number":"43700010000000","bank_name":"국민은행","bank_code":"KB"}}';

if (process.argv[2] === 'bare') {
  const bare = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json;charset=utf-8',
        'content-length': Buffer.byteLength(FIXED),
      });
      res.end(FIXED);
    });
  });
  bare.keepAliveTimeout = 65_000;
  reportStats();
  bare.listen(0, '127.0.0.1', () => console.log(`LISTENING ${bare.address().port}`));
} else {
  const sandbox = await startSandbox({ port: 0 });
  reportStats(() => {
    const s = sandbox.stats();
    return { createRequests: s.requests.createDeposit, ordersCreated: s.ordersCreated };
  });
  console.log(`LISTENING ${new URL(sandbox.url).port}`);
}
