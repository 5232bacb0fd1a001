-- report.lua - shared by every bench script: after the run, prints one line
-- "BENCH {...}" with the figures bench/run.sh reads (latencies in us).
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
        '"socket_errors":%d,"non2xx":%d}\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
