-- PUT module progress with a random learner (token and enrolment from the file in BENCH_DATA, one
-- "token enrollment_id" pair a line), module, status, minutes and past time; BENCH_PATH replaces the
-- path (the bare endpoint gets the same bodies). Counts non-2xx answers by status.
local statuses = {"in_progress", "in_progress", "completed", "completed", "passed"}
local modules = {"GF01", "GF02", "GF03", "GF04", "GF05", "GF06", "GF07", "GF08"}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  failures = {}
  pairs_ = {}
  math.randomseed(os.time() * 1000 + seed)
  for line in io.lines(os.getenv("BENCH_DATA")) do
    local token, enrollment = line:match("^(%S+)%s+(%S+)$")
    if token then
      table.insert(pairs_, {token, enrollment})
    end
  end
  fixed_path = os.getenv("BENCH_PATH")
end

function request()
  local pair = pairs_[math.random(#pairs_)]
  local module = modules[math.random(#modules)]
  local path = fixed_path or ("/api/v1/enrollments/" .. pair[2] .. "/modules/" .. module)
  local at = os.date("!%Y-%m-%dT%H:%M:%S+00:00", os.time() - math.random(60, 30 * 86400))
  local body = string.format('{"status": "%s", "minutes_spent": %d, "occurred_at": "%s"}',
                             statuses[math.random(#statuses)], math.random(1, 600), at)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. pair[1]}
  return wrk.format("PUT", path, headers, body)
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
