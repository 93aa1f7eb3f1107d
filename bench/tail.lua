-- tail.lua - the latency tail wrk's --latency leaves out: every bench
-- script (and the plain GET runs, which use this file alone) ends with
-- one "p999_us N" line, the 99.9th percentile in microseconds, which
-- bench/run.sh reads.  Scripts that shape requests load it with
-- dofile(os.getenv("BENCH_LUA") .. "/tail.lua").
function done(summary, latency, requests)
   io.write(string.format("p999_us %d\n", latency:percentile(99.9)))
end
