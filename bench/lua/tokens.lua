-- tokens.lua - scenario 5: GET /api/v1/auth/user, each request with the
-- next token of the file BENCH_TOKENS (one "id|secret" per line), so the
-- lookups spread over the whole database instead of one hot row. Each wrk
-- thread starts at a different offset.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = "Bearer " .. line
end
local i = 0
local n = 0
setup = function(thread)
    n = n + 1
    thread:set("offset", n * 7919)
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
