// Preloaded into Portkey (`node --import bench/lib/bind-loopback.mjs …`): Portkey binds every
// interface and has no host flag, so this forces every `net.Server#listen` onto 127.0.0.1
// (research/deps.md §4). Unix-socket listens are left alone.
import net from 'node:net';

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first) && first.path === undefined) {
    args[0] = { ...first, host: LOOPBACK };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const second = args[1];
    if (args.length === 1 || typeof second === 'function' || typeof second === 'number') {
      args.splice(1, 0, LOOPBACK);
    } else {
      args[1] = LOOPBACK;
    }
  }
  return listen.apply(this, args);
};
