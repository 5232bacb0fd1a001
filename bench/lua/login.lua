-- login.lua - scenario 3: POST /api/v1/auth/token with the bench user's
-- password (BENCH_EMAIL, BENCH_PASSWORD); every request is a full login.
wrk.method = "POST"
wrk.path = "/api/v1/auth/token"
wrk.headers["Accept"] = "application/json"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s","device_name":"bench"}',
                         os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"))
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
