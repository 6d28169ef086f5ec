-- wrk script for bench/run.py: every request submits a different open quiz attempt.
--
--   wrk ... -s bench/submit.lua http://127.0.0.1:PORT/ -- POOL_FILE THREADS
--
-- POOL_FILE holds one submission per line: Cookie header, path and form body, tab-separated.
-- Thread k of THREADS sends lines k+1, k+1+THREADS, ... Once every line of a thread is
-- handed out, its connections wait (delay) instead of sending anything else, and the thread
-- stops once every submission it sent is answered: nothing but submissions is measured.
-- wrk's own requests/sec divides by the whole -d duration even when the pool runs out
-- first, so each thread also records when it sent its first submission and when its last
-- answer came (CLOCK_MONOTONIC through LuaJIT's FFI); done() prints one line per thread:
--   bench-thread <id> sent <n> answered <n> graded <n> repeated <n> other <n> first <s> last <s>
-- "graded": 302 to /quiz/<token>/result without a Set-Cookie; "repeated": the same redirect
-- with a Set-Cookie (the "submitted already" flash, nothing graded); "other": anything else.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local clock = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

local queue = {}
local position = 0 -- lines handed to request() so far
local promised = 0 -- connections told by delay() to go ahead, not yet in request()
local idle = 60 * 60 * 1000 -- ms a connection waits once this thread's lines are spent

function init(args)
  local file, threads_total = args[1], tonumber(args[2])
  local handle = assert(io.open(file, "r"))
  local line_no = 0
  for line in handle:lines() do
    if line_no % threads_total == id then
      local cookie, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(queue, wrk.format("POST", path, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["User-Agent"] = "smresidency-bench",
      }, body))
    end
    line_no = line_no + 1
  end
  handle:close()
  sent, answered, graded, repeated, other = 0, 0, 0, 0, 0
  first, last = 0, 0
end

-- Called before every request() of a connection: go ahead only while a line is left for it.
function delay()
  if position + promised >= #queue then
    return idle
  end
  promised = promised + 1
  return 0
end

function request()
  position = position + 1
  if promised > 0 then
    promised = promised - 1
  elseif id == 0 and position == 1 then
    -- wrk calls request() once on thread 0 before the run to check it: never sent, so that
    -- line is skipped (its attempt stays open) and nothing is counted.
    return queue[1] or wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  if first == 0 then
    first = now()
  end
  return queue[position]
end

function response(status, headers, body)
  answered = answered + 1
  last = now()
  local location = headers["Location"] or headers["location"] or ""
  local cookie = headers["Set-Cookie"] or headers["set-cookie"]
  if status == 302 and location:match("/quiz/[^/]+/result$") then
    if cookie then
      repeated = repeated + 1
    else
      graded = graded + 1
    end
  else
    other = other + 1
  end
  if position >= #queue and answered >= sent then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format(
      "bench-thread %d sent %d answered %d graded %d repeated %d other %d first %.6f last %.6f\n",
      thread:get("id"), thread:get("sent"), thread:get("answered"), thread:get("graded"),
      thread:get("repeated"), thread:get("other"), thread:get("first"), thread:get("last")))
  end
  io.write(string.format("bench-latency p50 %.1f p99 %.1f\n",
    latency:percentile(50), latency:percentile(99)))
end
