-- post.lua - wrk script for bench/run: POSTs one AdmissionReview body over a kept-alive
-- HTTP/1.1 connection, then prints the run's numbers as one JSON line for bench/run to parse.
-- Usage: wrk ... -s bench/post.lua URL -- BODY_FILE [count-close]
-- With count-close (the new-connection rows, wrk -H "Connection: close"), it also counts the
-- answers that carry "Connection: close": after each of them wrk opens a new connection.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

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
   closes = -1
   if args[2] == "count-close" then
      closes = 0
      -- Defined only here: wrk parses headers and bodies only when a script has response().
      response = function(status, headers, body)
         for k, v in pairs(headers) do
            if string.lower(k) == "connection" and string.lower(v) == "close" then
               closes = closes + 1
            end
         end
      end
   end
end

-- Latency is in microseconds; errors.status counts non-2xx/3xx answers.
function done(summary, latency, requests)
   local e = summary.errors
   local c = 0
   for _, t in ipairs(threads) do
      local n = t:get("closes")
      if n == nil or n < 0 then c = -1 break end
      c = c + n
   end
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,' ..
      '"err_timeout":%d,"close_answers":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout, c))
end
