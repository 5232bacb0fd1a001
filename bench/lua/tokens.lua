-- tokens.lua - scenario 5: GET /api/v1/auth/user, each request with the
-- next token of the file BENCH_TOKENS (one "id|secret" per line), so the
-- lookups spread over the whole database instead of one hot row. The wrk
-- threads (BENCH_WRK_THREADS, 2 by default) start evenly spread over the
-- file, so with a long file (scenario 5c's 100,000) no thread reuses a
-- token another used shortly before: each token comes back once per file.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = "Bearer " .. line
end
local i = 0
local n = 0
local threads = tonumber(os.getenv("BENCH_WRK_THREADS") or "") or 2
setup = function(thread)
    thread:set("offset", math.floor(n * #tokens / threads))
    n = n + 1
end
init = function(args)
    i = (offset or 0) % #tokens
end
request = function()
    i = i % #tokens + 1
    return wrk.format("GET", "/api/v1/auth/user",
                      {["Accept"] = "application/json", ["Authorization"] = tokens[i]})
end
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
