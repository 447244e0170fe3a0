-- post.lua - wrk script for bench/run: POSTs one AdmissionReview body over a kept-alive
-- HTTP/1.1 connection, then prints the run's numbers as one JSON line for bench/run to parse.
-- Usage: wrk ... -s bench/post.lua URL -- BODY_FILE

function init(args)
   local path = args[1]
   if path == nil then
      error("post.lua: pass the body file after --, e.g. wrk ... URL -- bench/bodies/deployment-2k.json")
   end
   local f = assert(io.open(path, "rb"))
   wrk.method = "POST"
   wrk.body = f:read("*a")
   f:close()
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Accept"] = "application/json, */*"
end

-- Latency is in microseconds; errors.status counts non-2xx/3xx answers.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,' ..
      '"err_timeout":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
