/** One GET to a loopback port with a Host header of the caller's (a load balancer's or App Runner's URL, a custom domain). */
import http from 'node:http';

/** Resolves the status and the trimmed body; status 0 and the error when the request fails or takes over `timeoutMs`. */
export function getByHost(port: number, host: string, path = '/', timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` }, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
  });
}
