-- GET with a bearer token from BENCH_TOKEN (no token for the bare endpoint); counts non-2xx answers by status.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failures = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    failures[status] = (failures[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local found = thread:get("failures")
    for status, count in pairs(found) do
      io.write(string.format("status %d: %d\n", status, count))
    end
  end
end
