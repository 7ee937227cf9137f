-- wrk script for bench/report_submit.py: POST a report with a fresh Idempotency-Key each time.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  body = args[1]
end

request = function()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", tid, counter, math.random(1, 1e9))
  return wrk.format("POST", "/api/v1/reports",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}, body)
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "errors_status": %d, "seconds": %.2f, "p50_ms": %.1f, "p99_ms": %.1f}\n',
    summary.requests, summary.errors.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
