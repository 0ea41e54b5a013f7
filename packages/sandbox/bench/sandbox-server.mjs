// The servers under load, in their own process (plain Node, no tsx): the BUILT sandbox, so
// @diamondpay/core resolves through its `node` export condition as in a real install, and beside it
// a bare node:http server answering a fixed create-deposit-shaped JSON body (the baseline).
// Prints "LISTENING <sandboxPort> <barePort>". GET /cpu on the bare server reports this process's CPU time.
import http from 'node:http';
import { startSandbox } from '../dist/index.js';

const FIXED =
  '{"error_code":"0000","data":{"link":"http://127.0.0.1/cashier/PM10000000","payment_id":"PM10000000","payment_cl_id":"bench","amount":50000000,"token":"abcdefghij","card_name":"다이아몬드페이","card_number":"43700010000000","bank_name":"국민은행","bank_code":"KB"}}';

const sandbox = await startSandbox({ port: 0 });
const bare = http.createServer((req, res) => {
  if (req.url === '/cpu') {
    const cpu = process.cpuUsage();
    res.end(JSON.stringify({ cpuMicros: cpu.user + cpu.system }));
    return;
  }
  // Read the body like the sandbox does, then answer the fixed JSON.
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
bare.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING ${new URL(sandbox.url).port} ${bare.address().port}`);
});
process.on('SIGTERM', async () => {
  await sandbox.close();
  bare.close();
  bare.closeAllConnections();
});
