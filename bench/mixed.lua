-- wrk: each request takes the next address of the mixed public traffic,
-- given one per line in the file named by the MIXED_PATHS variable.
local paths = {}
for line in io.lines(os.getenv("MIXED_PATHS")) do
  paths[#paths + 1] = line
end
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

-- What wrk does not print: the slowest request, and how many took longer
-- than 2 s (wrk's own default timeout), found from the latency percentiles.
local SLOW_US = 2000000

done = function(summary, latency, requests)
  local low, high = 0, 100
  if latency.max <= SLOW_US then
    low = 100
  end
  for _ = 1, 30 do
    local middle = (low + high) / 2
    if latency:percentile(middle) > SLOW_US then
      high = middle
    else
      low = middle
    end
  end
  local slow = math.floor((100 - low) / 100 * summary.requests + 0.5)
  io.write(string.format("mixed: max %.1f ms, slower than 2 s %d\n", latency.max / 1000, slow))
end
