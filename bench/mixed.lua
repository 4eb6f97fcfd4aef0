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
