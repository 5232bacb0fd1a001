-- user.lua - scenario 1: GET /api/v1/auth/user with one Sanctum token
-- (BENCH_TOKEN). The request is built once, so wrk's fast path sends it.
wrk.method = "GET"
wrk.path = "/api/v1/auth/user"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "none")
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
