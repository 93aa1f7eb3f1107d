-- book.lua - wrk script: POST /appointments on distinct free slots.
--
-- BOOK_DOCTOR is the booking doctor of bench/gen.c (windows 00:00-24:00
-- every day, no appointments), BOOK_BASE a future clinic-local midnight
-- (unix seconds; the bench runs with CLINIC_TZ=UTC), BOOK_THREADS wrk's
-- thread count.  Request k of thread t books the 5-minute slot number
-- k * BOOK_THREADS + t after BOOK_BASE: every request a different slot,
-- none crossing midnight (288 slots a day), so each booking succeeds for
-- the doctor and for the one patient whose token is in the header.
local doctor = os.getenv("BOOK_DOCTOR")
local base = tonumber(os.getenv("BOOK_BASE"))
local nthreads = tonumber(os.getenv("BOOK_THREADS"))
local next_tid = 0
-- The Authorization header comes from wrk -H, in wrk.headers too.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
end

local k = 0

local function stamp(t)
   return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

function request()
   local slot = k * nthreads + tid
   local start = base + slot * 300
   k = k + 1
   local body = string.format(
      '{"doctor_id":"%s","start_time":"%s","end_time":"%s","reason":"bench"}',
      doctor, stamp(start), stamp(start + 300))
   return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_LUA") .. "/tail.lua")
