/**
 * /probe against the real prometheus-blackbox-exporter (Debian), on loopback: for each module the
 * series netdx emits are series blackbox emits too, with the same type, and the values that mean
 * the same thing agree (success, IP protocol and hash, HTTP status, certificate expiry).
 * blackbox binds 127.0.0.1 on a free port and is stopped by its PID.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { certFile, closedPort, tlsServer } from '../probes/test-servers.js';
import { get, startDaemon, until } from './testing.js';

const BB = 'prometheus-blackbox-exporter';
const has = spawnSync(BB, ['--version']).status === 0;
const ROOT_PEM = fileURLToPath(new URL('../../test/fixtures/certs/root.pem', import.meta.url));

interface Series {
  type: string;
  value: number;
}
function parse(text: string): Map<string, Series> {
  const types = new Map<string, string>();
  const out = new Map<string, Series>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) types.set(t[1]!, t[2]!);
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(m[1]! + (m[2] ?? ''), { type: types.get(m[1]!) ?? '?', value: Number(m[3]) });
  }
  return out;
}

test('/probe series match blackbox_exporter for icmp, tcp_connect, tls and http_2xx', { skip: has ? false : `${BB} not installed`, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndx-bbx-'));
  const tlsSrv = await tlsServer({ key: certFile('leaf.key'), cert: certFile('chain.pem') });
  const web = http.createServer((_q, s) => s.end('hello'));
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  const webPort = (web.address() as net.AddressInfo).port;
  const closed = await closedPort();
  writeFileSync(
    join(dir, 'blackbox.yml'),
    `modules:\n  icmp:\n    prober: icmp\n  tcp_connect:\n    prober: tcp\n  tls:\n    prober: tcp\n    tcp:\n      tls: true\n      tls_config:\n        ca_file: ${ROOT_PEM}\n  http_2xx:\n    prober: http\n`,
  );
  const bbPort = await closedPort();
  const bb = spawn(BB, [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: 'ignore' });
  const cfg = join(dir, 'mon.yaml');
  writeFileSync(cfg, `targets:\n  - name: tls\n    target: 127.0.0.1:${tlsSrv.port}\n    protocol: tls\n    ca: ${ROOT_PEM}\n`);
  const m = await startDaemon(cfg, null);
  try {
    const bbBase = `http://127.0.0.1:${bbPort}`;
    await until('blackbox up', async () => ((await fetch(`${bbBase}/metrics`).catch(() => null))?.ok ? true : null), 15_000);
    const cases: Array<[string, string, string[]]> = [
      ['icmp', '127.0.0.1', ['probe_success', 'probe_ip_protocol', 'probe_ip_addr_hash']],
      ['tcp_connect', `127.0.0.1:${tlsSrv.port}`, ['probe_success', 'probe_ip_protocol', 'probe_ip_addr_hash']],
      ['tcp_connect', `127.0.0.1:${closed}`, ['probe_success']],
      ['tls', `127.0.0.1:${tlsSrv.port}`, ['probe_success', 'probe_ssl_earliest_cert_expiry', 'probe_ssl_last_chain_expiry_timestamp_seconds', 'probe_ip_addr_hash']],
      ['http_2xx', `http://127.0.0.1:${webPort}/`, ['probe_success', 'probe_http_status_code', 'probe_http_ssl', 'probe_http_redirects', 'probe_http_content_length']],
    ];
    for (const [module, target, same] of cases) {
      const q = `/probe?module=${module}&target=${encodeURIComponent(target)}`;
      const ours = parse((await get(m.base, q)).body);
      const theirs = parse((await get(bbBase, q)).body);
      const what = `${module} ${target}`;
      for (const [key, s] of ours) {
        // probe_timeout_seconds: blackbox ≥ 0.25 (handler.go) emits it; Debian's 0.23 does not
        if (key.startsWith('netdx_') || key === 'probe_timeout_seconds') continue;
        const name = key.replace(/\{.*$/, '');
        const t = [...theirs].find(([k]) => k === key || k.replace(/\{.*$/, '') === name);
        assert.ok(t, `${what}: ${key} is not a blackbox series (blackbox: ${[...theirs.keys()].join(' ')})`);
        assert.equal(s.type, t[1].type, `${what}: ${name} type`);
      }
      for (const name of same) {
        assert.ok(ours.has(name), `${what}: netdx lacks ${name}`);
        assert.equal(ours.get(name)!.value, theirs.get(name)?.value, `${what}: ${name} netdx ${ours.get(name)!.value} vs blackbox ${theirs.get(name)?.value}`);
      }
    }
  } finally {
    if (bb.pid && bb.exitCode === null) {
      bb.kill('SIGTERM');
      await Promise.race([once(bb, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    }
    await m.stop();
    await tlsSrv.close();
    web.close();
  }
});
