// The Lua scripts behind RedisLimitStore: one per LimitStore method, each one atomic round trip.
// They mirror LocalLimitStore step by step, in the same double arithmetic (Lua numbers and JS
// numbers are both IEEE doubles), so both stores give the same answers to the last millisecond.
// Numbers passed to redis.call are written with %.17g, exact for integers below 2^53.

/** Shared by the bucket scripts. KEYS[1] = the bucket; ARGV[1..5] = capacity, periodMs, amount, now, marginMs. */
const BUCKET_PRELUDE = `
local cap = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local margin = tonumber(ARGV[5])
local full = cap * period
local units, at = full, now
local held = redis.call('HMGET', KEYS[1], 'u', 'at')
if held[1] then
  local u, a = tonumber(held[1]), tonumber(held[2])
  units = math.min(full, u + math.max(0, now - a) * cap)
  at = math.max(a, now)
end
-- A full bucket is the same as no bucket: drop it; otherwise let it expire once it has refilled.
local function store(level)
  local missing = full - level
  if missing <= 0 then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'u', level, 'at', at)
    redis.call('PEXPIRE', KEYS[1], math.ceil(missing / cap) + margin)
  end
end
local function remaining(level) return math.max(0, math.floor(level / period)) end
local function reset(level) return math.max(0, math.ceil((full - level) / cap)) end
`;

/** Returns { ok 0|1, remaining, resetMs, retryAfterMs (-1 = never fits) }. */
export const TAKE_LUA = `${BUCKET_PRELUDE}
local need = amount * period
if need <= units then
  store(units - need)
  return { 1, remaining(units - need), reset(units - need), 0 }
end
local retry = -1
if amount <= cap then retry = math.ceil((need - units) / cap) end
return { 0, remaining(units), reset(units), retry }
`;

/** Returns { remaining, resetMs }. */
export const ADJUST_LUA = `${BUCKET_PRELUDE}
local after = math.min(full, units - amount * period)
store(after)
return { remaining(after), reset(after) }
`;

/**
 * Shared by the quota scripts. KEYS[1] = the quota entry; ARGV[1..3] = now, marginMs, graceMs
 * (how long past its window an entry with tokens in flight is kept, refreshed by every call).
 */
const QUOTA_PRELUDE = `
local now = tonumber(ARGV[1])
local margin = tonumber(ARGV[2])
local grace = tonumber(ARGV[3])
local function load()
  local h = redis.call('HMGET', KEYS[1], 'inflight', 'start', 'length', 'committed')
  if not h[1] then return nil end
  return { inflight = tonumber(h[1]), start = tonumber(h[2]), length = tonumber(h[3]), committed = tonumber(h[4]) }
end
-- Notes a window read: an older window is ignored, a newer one replaces the figure, the same one keeps the larger.
local function observe(start, length, committed)
  local e = load()
  if not e then return { inflight = 0, start = start, length = length, committed = committed } end
  if start > e.start then
    e.start = start
    e.committed = committed
  elseif start == e.start then
    e.committed = math.max(e.committed, committed)
  end
  if start >= e.start then e.length = length end
  return e
end
local function save(e)
  local ends = e.start + e.length
  if e.inflight <= 0 and ends <= now then
    redis.call('DEL', KEYS[1])
    return
  end
  redis.call('HSET', KEYS[1], 'inflight', e.inflight, 'start', e.start, 'length', e.length, 'committed', e.committed)
  local extra = margin
  if e.inflight > 0 then extra = grace end
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.max(0, ends - now) + extra))
end
`;

/** ARGV[4..8] = limit, cost, start, length, committed. Returns { ok 0|1, available }. */
export const RESERVE_QUOTA_LUA = `${QUOTA_PRELUDE}
local limit, cost = tonumber(ARGV[4]), tonumber(ARGV[5])
local e = observe(tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
local free = limit - e.committed - e.inflight
if cost <= free then
  e.inflight = e.inflight + cost
  save(e)
  return { 1, free - cost }
end
save(e)
return { 0, math.max(0, free) }
`;

/** ARGV[4] = cost; ARGV[5..7] = start, length, committed, or absent without a window. Returns 1. */
export const RELEASE_QUOTA_LUA = `${QUOTA_PRELUDE}
local cost = tonumber(ARGV[4])
local e
if ARGV[5] then
  e = observe(tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
else
  e = load()
end
if e then
  e.inflight = math.max(0, e.inflight - cost)
  save(e)
end
return 1
`;
