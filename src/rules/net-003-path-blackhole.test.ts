import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rule } from './net-003-path-blackhole.js';
import { assertFinding, commands, echo, routeLookup, run, tcp } from './fixtures.js';
import { hop, path, routerAddr, trace, TRACE_TARGET } from './trace-fixtures.js';
import { observation } from '../model/observation.js';

const dead = (after: number, n = 6) => path(n, Object.fromEntries(Array.from({ length: n - after }, (_, i) => [after + 1 + i, { recv: 0 }])));

test('invalid: the trace answers up to hop 2, then nothing; ping and TCP fail → NET-003 naming hop 2', () => {
  const obs = [routeLookup(TRACE_TARGET), trace(dead(2)), echo({ address: TRACE_TARGET, received: 0 }), tcp({ address: TRACE_TARGET, outcome: 'filtered' })];
  const f = assertFinding(rule, run(rule, obs));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost beyond hop 2 (${routerAddr(2)})`);
  assert.match(f.evidence[0]!.summary, /last answer from hop 2/);
  assert.equal(f.evidence.length, 3);
  assert.deepEqual(commands(f), [], 'one route only: no alternative to suggest');
  assert.match(f.fix[0]!.summary, new RegExp(`operator of ${routerAddr(2).replace(/\./g, '\\.')} \\(hop 2\\)`));
});

test('invalid: with a second candidate route the fix names the other gateway; zh text', () => {
  const route = routeLookup(TRACE_TARGET, {
    candidates: [
      { prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '198.51.100.1', metric: 100, type: 'unicast', text: 'default via 198.51.100.1 dev eth0 metric 100' },
      { prefix: '0.0.0.0/0', table: 'main', dev: 'eth1', gateway: '198.51.100.129', metric: 200, type: 'unicast', text: 'default via 198.51.100.129 dev eth1 metric 200' },
    ],
  });
  const f = assertFinding(rule, run(rule, [route, trace(dead(1))], { lang: 'zh' }));
  assert.deepEqual(commands(f), ['ip route replace default via 198.51.100.129']);
  assert.match(f.title, /第 1 跳/);
});

test('invalid: nothing answers at all: lost right after the gateway — never "hop 0"', () => {
  const f = assertFinding(rule, run(rule, [routeLookup(TRACE_TARGET), trace(dead(0, 3))]));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost right after the gateway 198.51.100.1: no router on the path answers`);
  const zh = assertFinding(rule, run(rule, [routeLookup(TRACE_TARGET), trace(dead(0, 3))], { lang: 'zh' }));
  for (const x of [f, zh]) for (const s of [x.title, x.explanation, ...x.evidence.map((e) => e.summary), ...x.fix.map((y) => y.summary)]) assert.doesNotMatch(s, /hop 0\b|第 0 跳/, s);
});

test('invalid: nothing answers and no route names the gateway: "the gateway", said once', () => {
  const f = assertFinding(rule, run(rule, [trace(dead(0, 3))]));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost right after the gateway: no router on the path answers`);
  assert.equal(f.fix[0]!.summary, `Ask the operator of the gateway to check its route to ${TRACE_TARGET}`);
  const zh = assertFinding(rule, run(rule, [trace(dead(0, 3))], { lang: 'zh' }));
  assert.equal(zh.title, `路径中断/黑洞：发往 ${TRACE_TARGET} 的报文在网关之后即丢失，路径上没有任何路由器响应`);
});

test('invalid: a host route via a second ISP wins over the default: no "replace default via MAIN-GW" (it changes nothing)', () => {
  const host = { prefix: `${TRACE_TARGET}/32`, table: 'main', dev: 'eth1', gateway: '100.64.3.1', metric: null, type: 'unicast', text: `${TRACE_TARGET} via 100.64.3.1 dev eth1` };
  const def = { prefix: '0.0.0.0/0', table: 'main', dev: 'eth0', gateway: '198.51.100.1', metric: null, type: 'unicast', text: 'default via 198.51.100.1 dev eth0' };
  const f = assertFinding(rule, run(rule, [routeLookup(TRACE_TARGET, { gateway: '100.64.3.1', dev: 'eth1', route: host.text, candidates: [host, def] }), trace(dead(0, 3))]));
  assert.deepEqual(commands(f), []);
  assert.match(f.title, /right after the gateway 100\.64\.3\.1/);
  // Two defaults of the same prefix: replacing the default does change the route.
  const low = { ...def, gateway: '100.64.3.1', dev: 'eth1', metric: 50, text: 'default via 100.64.3.1 dev eth1 metric 50' };
  const high = { ...def, metric: 100, text: 'default via 198.51.100.1 dev eth0 metric 100' };
  const g = assertFinding(rule, run(rule, [routeLookup(TRACE_TARGET, { gateway: '100.64.3.1', dev: 'eth1', route: low.text, candidates: [low, high] }), trace(dead(1))]));
  assert.deepEqual(commands(g), ['ip route replace default via 198.51.100.1']);
});

test('valid: reached; target answers ping or TCP; a router reports unreachable (NET-010); no trace / unavailable', () => {
  assert.equal(run(rule, [trace()]), null);
  assert.equal(run(rule, [trace(dead(2)), echo({ address: TRACE_TARGET })]), null);
  assert.equal(run(rule, [trace(dead(2)), tcp({ address: TRACE_TARGET, outcome: 'refused' })]), null);
  const unreach = [hop(1), hop(2, { icmp: { type: 3, code: 1, from: routerAddr(2), name: 'host-unreachable' } })];
  assert.equal(run(rule, [trace(unreach)]), null);
  assert.equal(run(rule, [trace([], { method: 'unavailable', reached: false, paths: [] })]), null);
  assert.equal(run(rule, []), null);
});

// A balanced path: hop 3 is either branch A (.66) or branch B (.70); branch B drops what it forwards.
const BRANCH_A = '198.51.100.66';
const BRANCH_B = '198.51.100.70';
const viaA = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: true, hops: path(4, { 3: { addr: BRANCH_A, addrs: [BRANCH_A] } }) });
const viaB = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: false, hops: path(4, { 3: { addr: BRANCH_B, addrs: [BRANCH_B] }, 4: { recv: 0, target: false, addr: null, addrs: [] } }) });
const balanced = (paths: ReturnType<typeof viaA>[]) => trace(paths[0]!.hops, { proto: 'tcp', port: 7000, count: 5, reached: paths.some((p) => p.reached), paths });
const spreadObs = observation('tcp.spread', {
  address: TRACE_TARGET,
  port: 7000,
  method: 'raw',
  answered: 5,
  lost: 3,
  flows: [40001, 40002, 40003, 40004, 40005, 40006, 40007, 40008].map((sport, i) => ({ sport, outcome: i % 3 === 2 ? ('lost' as const) : ('answered' as const), ms: i % 3 === 2 ? null : 0.3 })),
});

test('invalid: per-flow balancing with a broken branch → NET-003 names the branch router, the working one, and shows every flow', () => {
  const obs = [spreadObs, balanced([viaA(40001), viaA(40002), viaB(40003), viaB(40006)]), tcp({ address: TRACE_TARGET, port: 7000 })];
  const f = assertFinding(rule, run(rule, obs, { target: `${TRACE_TARGET}:7000` }));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} that are balanced onto ${BRANCH_B} (hop 3) are lost beyond it; flows through ${BRANCH_A} get through`);
  assert.match(f.explanation, /2 of 4 traced flows \(those through 198\.51\.100\.70 at hop 3\) get no further; the others, through 198\.51\.100\.66, reach/);
  assert.match(f.evidence[0]!.summary, /from 8 source ports at once: 5 answered, 3 lost \(lost: 40003, 40006\)/);
  assert.equal(f.evidence.filter((e) => e.observation === 'trace.path').length, 4, 'one row set per flow');
  assert.match(f.evidence[3]!.summary, /tcp sport 40003: .*3 198\.51\.100\.70 10\/10, 4 \?\?\? 0\/10, then nothing/);
  assert.deepEqual(commands(f), [`netdx trace ${TRACE_TARGET}:7000 --paths 8`]);
  const zh = assertFinding(rule, run(rule, obs, { target: `${TRACE_TARGET}:7000`, lang: 'zh' }));
  assert.match(zh.title, /负载分担路径中的一支中断/);
});

test('valid: flows that all reach; flows that stop at the same routers while the working ones lose packets too (random loss, a full queue)', () => {
  assert.equal(run(rule, [balanced([viaA(1), viaA(2), viaA(3)]), tcp()]), null);
  const sameRouterLost = { flow: 'tcp sport 9', reached: false, hops: path(4, { 3: { addr: BRANCH_A, addrs: [BRANCH_A] }, 4: { recv: 0, target: false, addr: null, addrs: [] } }) };
  const lossyGood = { flow: 'tcp sport 1', reached: true, hops: path(4, { 3: { addr: BRANCH_A, addrs: [BRANCH_A] }, 4: { recv: 7 } }) };
  assert.equal(run(rule, [balanced([lossyGood, sameRouterLost]), tcp()]), null);
  const fewRounds = { ...sameRouterLost, hops: path(4, { 3: { addr: BRANCH_A, addrs: [BRANCH_A], sent: 2, recv: 2 }, 4: { recv: 0, sent: 2, target: false, addr: null, addrs: [] } }) };
  assert.equal(run(rule, [balanced([viaA(1), fewRounds]), tcp()]), null, 'two rounds of silence are not enough');
});

test('invalid: the lost flows stop after the same router as the working ones, silent in every round, the working ones clean → a broken member beyond it', () => {
  const silent = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: false, hops: path(4, { 3: { addr: BRANCH_A, addrs: [BRANCH_A] }, 4: { recv: 0, target: false, addr: null, addrs: [] } }) });
  const f = assertFinding(rule, run(rule, [balanced([viaA(1), viaA(2), silent(3), silent(4)]), tcp({ address: TRACE_TARGET, port: 7000 })], { target: `${TRACE_TARGET}:7000` }));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost beyond hop 3 (${BRANCH_A}) for some source ports only: a balanced member after it is broken`);
  assert.match(f.explanation, /2 of 4 traced flows to 203\.0\.113\.10 stop after hop 3 \(198\.51\.100\.66\) in every round/);
  assert.match(f.fix[0]!.summary, /check each next hop, bundle member or pool member/);
  const zh = assertFinding(rule, run(rule, [balanced([viaA(1), silent(3)]), tcp()], { lang: 'zh' }));
  assert.match(zh.title, /负载分担成员故障/);
});

test('invalid: one lost flow stops after the router the working ones pass, another heard nothing at all (its ICMP budget spent) → still the broken member beyond that router', () => {
  const silent = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: false, hops: path(4, { 3: { addr: BRANCH_A, addrs: [BRANCH_A] }, 4: { recv: 0, target: false, addr: null, addrs: [] } }) });
  const mute = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: false, hops: [hop(1, { sent: 5, recv: 0, addr: null, addrs: [] })] });
  const f = assertFinding(rule, run(rule, [balanced([viaA(1), viaA(2), silent(3), mute(4)]), tcp({ address: TRACE_TARGET, port: 7000 })], { target: `${TRACE_TARGET}:7000` }));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost beyond hop 3 (${BRANCH_A}) for some source ports only: a balanced member after it is broken`);
  // A mute flow alone beside working ones that lose packets at the target is not enough.
  assert.equal(run(rule, [balanced([viaA(1), mute(4)].map((p, i) => (i === 0 ? { ...p, hops: p.hops.map((h) => (h.target ? { ...h, recv: 3, lossPct: 40 } : h)) } : p))), tcp()]), null);
});

test('invalid: lost flows that hear nothing at all (routers rate-limited) against working flows that always reach → a broken member, place unknown', () => {
  const mute = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: false, hops: [hop(1, { sent: 5, recv: 0, addr: null, addrs: [] })] });
  const good = (sport: number) => ({ flow: `tcp sport ${sport}`, reached: true, hops: path(4, { 1: { sent: 5, recv: 2 }, 2: { sent: 5, recv: 2 }, 3: { sent: 5, recv: 2 }, 4: { sent: 5 } }) });
  const f = assertFinding(rule, run(rule, [balanced([good(1), good(2), mute(3), mute(4)]), tcp()]));
  assert.equal(f.title, `Packets to ${TRACE_TARGET} are lost for some source ports only: a balanced member on the path is broken`);
  assert.match(f.explanation, /2 of 4 traced flows never reach 203\.0\.113\.10, in any round, while the other 2 reach it every time/);
});
