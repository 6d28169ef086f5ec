-- wrk script for bench/run.py: GET /verify/<code>, rotating through many codes.
--
--   wrk ... -s bench/verify.lua http://127.0.0.1:PORT/ -- PATHS_FILE THREADS
--
-- PATHS_FILE holds one path a line (/verify/<code>). Every request is pre-formatted once in
-- init(); each thread sends them round-robin, thread k starting k/THREADS of the way in, so
-- consecutive requests name different certificates. No response() hook: wrk's own counts,
-- latencies and "Non-2xx or 3xx responses" are the result.

local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
end

local requests = {}
local position = 0

function init(args)
  local file, threads_total = args[1], tonumber(args[2])
  for line in io.lines(file) do
    if line ~= "" then
      table.insert(requests, wrk.format("GET", line))
    end
  end
  assert(#requests > 0, "no paths in " .. file)
  position = math.floor(id * #requests / threads_total)
end

function request()
  position = position % #requests + 1
  return requests[position]
end
