// One-off (docs/switch.md): a webhook receiver on 127.0.0.1:9977 verifying with the standardwebhooks reference
// library (5 minutes' tolerance), answering 400 to what it refuses.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
const secret = process.argv[2];
const wh = new Webhook(secret.replace(/^whsec_/, ''));
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      const ev = wh.verify(body, req.headers);
      console.log('standardwebhooks: verified', ev.type, req.headers['webhook-timestamp']);
      res.writeHead(204).end();
    } catch (e) {
      console.log('standardwebhooks: refused', e.message, req.headers['webhook-timestamp']);
      res.writeHead(400).end();
    }
  });
}).listen(9977, '127.0.0.1');
