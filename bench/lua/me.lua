-- me.lua - scenario 2: GET /api/v1/auth/me with a JWT (BENCH_JWT) and
-- X-Tenant (BENCH_TENANT), AutoCom's surface (seed 002).
wrk.method = "GET"
wrk.path = "/api/v1/auth/me"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_JWT") or "none")
wrk.headers["X-Tenant"] = os.getenv("BENCH_TENANT") or "none"
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
