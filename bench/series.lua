-- series.lua - wrk script: POST /appointments/series, weekly series of 4 on
-- distinct free instants.
--
-- BOOK_DOCTOR is the booking doctor of bench/gen.c (windows 00:00-24:00
-- every day), SERIES_BASE a future clinic-local midnight (unix seconds;
-- CLINIC_TZ=UTC), BOOK_THREADS wrk's thread count.  Request k of thread t
-- books the 1-minute visit number k * BOOK_THREADS + t after SERIES_BASE
-- and the same minute the three following weeks: while fewer than 10,080
-- requests are made (a week of minutes) no two series meet, so each one
-- is booked whole.
local doctor = os.getenv("BOOK_DOCTOR")
local base = tonumber(os.getenv("SERIES_BASE"))
local nthreads = tonumber(os.getenv("BOOK_THREADS"))
local next_tid = 0
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
   local slot = (k * nthreads + tid) % 10080
   local start = base + slot * 60
   k = k + 1
   local body = string.format(
      '{"doctor_id":"%s","start_time":"%s","end_time":"%s","frequency":"WEEKLY","count":4}',
      doctor, stamp(start), stamp(start + 60))
   return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_LUA") .. "/tail.lua")
