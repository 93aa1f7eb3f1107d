-- login.lua - wrk script: POST /auth/login as a seeded patient.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"amina.benali@example.dz","password":"Algeria123!"}'

dofile(os.getenv("BENCH_LUA") .. "/tail.lua")
